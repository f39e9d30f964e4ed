// A free loopback port for a test that starts a server in another process.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';

/** A port nothing listens on right now, on the loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => {
    resolve();
  }));
  return address.port;
}
