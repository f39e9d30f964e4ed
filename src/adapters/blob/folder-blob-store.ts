// Backups in a folder (the default): each object is written to a temporary file, flushed
// to disk and renamed into place, so a crash never leaves a half-written object under its
// final name. Folders are created 0700 and files 0600: backups hold the audit trail.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { blobKeyPattern, type BlobStore } from '../../app/ports/blob-store.ts';
import { invariant } from '../../domain/invariant.ts';

async function flushed(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function filesBelow(root: string, directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch((error: unknown) => {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  });
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) found.push(...await filesBelow(root, path));
    else if (entry.isFile() && !entry.name.startsWith('.tmp-')) found.push(relative(root, path).split(sep).join('/'));
  }
  return found;
}

export function folderBlobStore(root: string): BlobStore {
  const pathOf = (key: string): string => {
    invariant(blobKeyPattern.test(key), `blob key ${key} is not a plain relative path`);
    return join(root, ...key.split('/'));
  };
  return {
    location: `folder ${root}`,
    async put(key, body: Readable) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const temporary = join(dirname(path), `.tmp-${randomBytes(6).toString('hex')}`);
      try {
        await pipeline(body, createWriteStream(temporary, { mode: 0o600 }));
        await flushed(temporary);
        await rename(temporary, path);
        await flushed(dirname(path));
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
    async get(key) {
      const path = pathOf(key);
      const found = await stat(path).catch(() => null);
      return found?.isFile() === true ? createReadStream(path) : null;
    },
    async list(prefix) {
      const keys = await filesBelow(root, root);
      return keys.filter((key) => key.startsWith(prefix)).sort();
    },
  };
}
