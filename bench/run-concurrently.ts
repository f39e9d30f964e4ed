// Drives a fixed number of operations with a fixed number in flight, timing each one: the
// load shape shared by the in-process and the HTTP scenarios.

/**
 * Runs `count` operations with `concurrency` in flight, each timed; `operation` gets the
 * index and throws if the operation did not succeed.
 */
export async function runConcurrently(
  count: number,
  concurrency: number,
  operation: (index: number) => Promise<void>,
  onDone: (durationMs: number) => void,
): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      const startedMs = performance.now();
      await operation(index);
      onDone(performance.now() - startedMs);
    }
  };
  const startedMs = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, () => worker()));
  return performance.now() - startedMs;
}
