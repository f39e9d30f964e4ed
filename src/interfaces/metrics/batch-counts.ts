// What the PostgreSQL store's group commit counts, for the standalone service's metrics;
// apart from prom-client, so that the runtime (and the Lambda bundle with it) can check
// for it without loading prom-client.

/**
 * The PostgreSQL store's batch counts (postgres-store.ts, group-commit.ts), each growing:
 * batches committed in one round trip on remembered rows (`remembered`), those of them
 * shifted for another process's moves (`shifted`), batches decided on a locked read
 * (`read`), and remembered rows found stale (`stale`, each followed by a `read`).
 */
export type BatchCountsSource = { batchCounts(): Readonly<Record<BatchPath, number>> };
export const batchPaths = ['remembered', 'shifted', 'read', 'stale'] as const;
export type BatchPath = (typeof batchPaths)[number];

/** Whether a store reports its batch counts (the PostgreSQL store does). */
export function reportsBatches(store: object): store is BatchCountsSource {
  return typeof (store as Partial<BatchCountsSource>).batchCounts === 'function';
}
