// Gzip NDJSON files through the blob store in constant memory: lines are pulled from an
// async source as the upload consumes them (backpressure), and every file is counted and
// hashed (SHA-256 of the stored bytes) on its way out and checked on its way back in.
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { BlobStore } from '../ports/blob-store.ts';
import type { BackupFile } from './backup-format.ts';

export async function writeNdjsonGz(blobs: BlobStore, key: string, name: string, lines: AsyncIterable<string>): Promise<BackupFile> {
  let count = 0;
  let bytes = 0;
  const hash = createHash('sha256');
  const counted = async function* () {
    for await (const line of lines) {
      count++;
      yield `${line}\n`;
    }
  };
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  const body = new PassThrough();
  const produced = pipeline(Readable.from(counted()), createGzip(), tap, body);
  await Promise.all([blobs.put(key, body, 'application/gzip'), produced]);
  return { name, count, bytes, sha256: hash.digest('hex') };
}

/** Reads the file once to check its size and SHA-256 against the manifest; throws on a mismatch. */
export async function checkFile(blobs: BlobStore, key: string, expected: BackupFile): Promise<void> {
  const body = await blobs.get(key);
  if (body === null) throw new Error(`backup file ${key} is missing`);
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    hash.update(buffer);
    bytes += buffer.length;
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== expected.sha256 || bytes !== expected.bytes) {
    throw new Error(`backup file ${key} does not match its manifest (sha256 ${sha256}, ${bytes} bytes; expected ${expected.sha256}, ${expected.bytes} bytes)`);
  }
}

/** The lines of a gzip NDJSON file, streamed. */
export async function* readNdjsonGz(blobs: BlobStore, key: string): AsyncGenerator<string> {
  const body = await blobs.get(key);
  if (body === null) throw new Error(`backup file ${key} is missing`);
  const gunzip = createGunzip();
  body.on('error', (error) => gunzip.destroy(error));
  const lines = createInterface({ input: body.pipe(gunzip), crlfDelay: Infinity });
  for await (const line of lines) if (line !== '') yield line;
}
