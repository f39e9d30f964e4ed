// The local key vault's master key: 32 random bytes in a file that only its owner can
// read, created on first start. Its bytes never leave this module except as a KeyObject.
import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const masterKeyBytes = 32;
export const masterKeyFileMode = 0o600;
export const masterKeyDirectoryMode = 0o700;
/** Group and other permission bits: a key file with any of them set is refused. */
const groupOrOtherBits = 0o077;
/** More than a raw key or its base64 text with a line ending: such a file is not a key file. */
const masterKeyFileBytesMax = 64;
/** Base64 of exactly 32 bytes: 43 characters and one padding character. */
const base64KeyPattern = /^[A-Za-z0-9+/]{43}=$/;
/** Hex characters of the fingerprint that names the key in envelopes. */
const masterKeyIdHexLength = 16;

export class MasterKeyError extends Error {
  override readonly name = 'MasterKeyError';
}

export type MasterKey = {
  readonly key: KeyObject;
  /** `local:` and a fingerprint of the key; safe to log and to store in envelopes. */
  readonly id: string;
};

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

function isExistingFile(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EEXIST';
}

/** A fingerprint with its own prefix, so that it can never be mistaken for a hash of anything else. */
function masterKeyIdOf(bytes: Uint8Array): string {
  const digest = createHash('sha256').update('contra-local-master-key-id-v1\0').update(bytes).digest('hex');
  return `local:${digest.slice(0, masterKeyIdHexLength)}`;
}

function decodeKeyFile(path: string, content: Buffer): Buffer {
  if (content.length === masterKeyBytes) return Buffer.from(content);
  const text = content.toString('latin1').trim();
  if (base64KeyPattern.test(text)) return Buffer.from(text, 'base64');
  // The message gives the size only: the content may be a key in some other encoding.
  throw new MasterKeyError(
    `the master key file ${path} must hold ${masterKeyBytes} bytes, raw or as base64; it holds ${content.length} bytes`,
  );
}

/**
 * Writes a new key beside the target and links it into place: the link fails rather than
 * replace a key that another process created meanwhile, and a crash never leaves a
 * half-written key file under the real name.
 */
async function createKeyFile(path: string): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true, mode: masterKeyDirectoryMode });
  const temporary = join(directory, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const bytes = randomBytes(masterKeyBytes);
  const file = await open(temporary, 'wx', masterKeyFileMode);
  try {
    await file.writeFile(`${bytes.toString('base64')}\n`, 'latin1');
    await file.sync();
  } finally {
    bytes.fill(0);
    await file.close();
  }
  try {
    await link(temporary, path);
  } catch (error) {
    if (!isExistingFile(error)) throw error;
  } finally {
    await unlink(temporary);
  }
  await syncDirectory(directory);
}

/** Makes the new directory entry durable: a key lost on power failure loses every envelope. */
async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readKeyFile(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const status = await file.stat();
    if (!status.isFile()) throw new MasterKeyError(`the master key file ${path} is not a regular file`);
    // File modes mean nothing on Windows; elsewhere a key others can read is a key others have.
    if (process.platform !== 'win32' && (status.mode & groupOrOtherBits) !== 0) {
      const mode = (status.mode & 0o777).toString(8).padStart(4, '0');
      throw new MasterKeyError(`the master key file ${path} has mode ${mode}; it must be readable by its owner only (chmod 600)`);
    }
    if (status.size > masterKeyFileBytesMax) {
      throw new MasterKeyError(`the master key file ${path} must hold ${masterKeyBytes} bytes, raw or as base64; it holds ${status.size} bytes`);
    }
    return await file.readFile();
  } finally {
    await file.close();
  }
}

/** Reads the master key, creating the file (and its directory) on first start. */
export async function loadOrCreateMasterKey(path: string): Promise<MasterKey> {
  let content: Buffer;
  try {
    content = await readKeyFile(path);
  } catch (error) {
    if (!isMissingFile(error)) throw error;
    await createKeyFile(path);
    content = await readKeyFile(path);
  }
  const bytes = decodeKeyFile(path, content);
  content.fill(0);
  try {
    return { key: createSecretKey(bytes), id: masterKeyIdOf(bytes) };
  } finally {
    bytes.fill(0);
  }
}
