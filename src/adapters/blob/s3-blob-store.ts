// Backups in S3 (B1 in AWS): multipart uploads from a stream (constant memory), reads as a
// stream, listing by prefix. Objects are encrypted at rest by the bucket's KMS key (the
// CDK stack sets it); `serverSideEncryption` can ask for it explicitly.
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { blobKeyPattern, type BlobStore } from '../../app/ports/blob-store.ts';
import { invariant } from '../../domain/invariant.ts';

export type S3BlobStoreOptions = {
  readonly bucket: string;
  /** Prepended to every key, e.g. `contra/`. */
  readonly prefix?: string;
  readonly client?: S3Client;
  readonly clientConfig?: S3ClientConfig;
  readonly kmsKeyId?: string;
};

/** Upload parts of 8 MiB, two at a time: at most ~16 MiB of a backup in memory. */
const partSizeBytes = 8 * 1024 * 1024;
const uploadQueueSize = 2;

export function s3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const client = options.client ?? new S3Client(options.clientConfig ?? {});
  const prefix = options.prefix ?? '';
  const fullKey = (key: string): string => {
    invariant(blobKeyPattern.test(key), `blob key ${key} is not a plain relative path`);
    return `${prefix}${key}`;
  };
  return {
    location: `s3://${options.bucket}/${prefix}`,
    async put(key, body, contentType) {
      const upload = new Upload({
        client,
        partSize: partSizeBytes,
        queueSize: uploadQueueSize,
        params: {
          Bucket: options.bucket, Key: fullKey(key), Body: body, ContentType: contentType,
          ...(options.kmsKeyId === undefined ? {} : { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: options.kmsKeyId }),
        },
      });
      await upload.done();
    },
    async get(key) {
      try {
        const answer = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: fullKey(key) }));
        invariant(answer.Body instanceof Readable, 'S3 returned a body that is not a Node stream');
        return answer.Body;
      } catch (error) {
        if (error instanceof NoSuchKey) return null;
        throw error;
      }
    },
    async list(listPrefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: `${prefix}${listPrefix}`, ContinuationToken: token }));
        for (const item of page.Contents ?? []) if (item.Key !== undefined) keys.push(item.Key.slice(prefix.length));
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys.sort();
    },
  };
}
