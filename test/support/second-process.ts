// A second Contra process for tests of races across processes: `contra serve` (bin/contra.mjs)
// in a child process, on the same store and keys as a test service, so that only the
// store's version checks stand between the two (within one process, the use cases' keyed
// locks already serialize work on one payment or transfer).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.ts';
import type { TestService } from './service.ts';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
/** A child process with tsx can take long to answer on a loaded 2-core machine. */
const startTimeoutMs = 60_000;

export type SecondProcess = {
  readonly child: ChildProcess;
  /** The same service as seen through the second process: pass it to `call`. */
  readonly peer: TestService;
  /** Everything the second process wrote, for failure messages. */
  output(): string;
};

/**
 * `contra serve` in a process of its own, on the same store and keys as `service` (plus
 * `environment`, e.g. short job intervals), once it answers /healthz.
 */
export async function secondProcess(service: TestService, environment: Readonly<Record<string, string>> = {}): Promise<SecondProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/contra.mjs', 'serve'], {
    cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...service.environment, CONTRA_LOG_LEVEL: 'warn', ...environment, HOST: '127.0.0.1', PORT: String(port) },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (const startedAt = Date.now(); Date.now() - startedAt < startTimeoutMs;) {
    if (child.exitCode !== null) assert.fail(`the second process exited: ${output}`);
    const healthy = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1_000) }).then((answer) => answer.status === 200, () => false);
    if (healthy) return { child, peer: { ...service, baseUrl }, output: () => output };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill('SIGKILL');
  return assert.fail(`the second process did not answer within ${startTimeoutMs} ms: ${output}`);
}

export async function stopSecondProcess(second: SecondProcess): Promise<void> {
  if (second.child.exitCode !== null) return;
  const exited = new Promise((resolve) => second.child.once('exit', resolve));
  second.child.kill('SIGTERM');
  await exited;
}
