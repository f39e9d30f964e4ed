// Opens the blob store backups go to (B1), from the configuration: a folder by default, or
// an S3 bucket (the AWS SDK's usual credential chain and region; an endpoint for emulators).
import { S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from '../app/ports/blob-store.ts';
import { folderBlobStore } from '../adapters/blob/folder-blob-store.ts';
import { s3BlobStore } from '../adapters/blob/s3-blob-store.ts';
import type { BackupConfig } from './config.ts';

export type BackupTarget = { readonly blobs: BlobStore; readonly settleMs: number };

export function openBackupTarget(config: BackupConfig): BackupTarget {
  const target = config.target;
  if (target.kind === 'folder') return { blobs: folderBlobStore(target.path), settleMs: config.settleMs };
  const client = new S3Client(target.endpoint === null ? {} : { endpoint: target.endpoint, forcePathStyle: true });
  return { blobs: s3BlobStore({ bucket: target.bucket, prefix: target.prefix, client }), settleMs: config.settleMs };
}
