// Elapsed time for the metrics decorators, apart from prom-client so that the modules
// the runtime imports (and the Lambda bundle with them) never load it.

/** Seconds since `startedAt` (a `performance.now()` reading). */
export function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}
