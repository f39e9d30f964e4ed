// Object storage for backups (B1): a folder by default, S3 in AWS. Bodies are streams so
// that a backup of any size passes through in constant memory.
import type { Readable } from 'node:stream';

export interface BlobStore {
  /** Where the blobs go, for people (`folder /var/backups`, `s3://bucket/prefix`). */
  readonly location: string;
  /** Stores the whole stream under `key`; resolves once the object is durable and complete. */
  put(key: string, body: Readable, contentType: string): Promise<void>;
  /** The object's bytes, or null when there is no such key. */
  get(key: string): Promise<Readable | null>;
  /** Every key that starts with `prefix`, in byte order. */
  list(prefix: string): Promise<readonly string[]>;
}

/** Keys are relative paths of plain segments: no `..`, no leading slash, no backslash. */
export const blobKeyPattern = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._:=+-]+(?:\/[A-Za-z0-9._:=+-]+)*$/;
