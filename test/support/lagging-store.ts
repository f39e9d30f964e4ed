// A store that serves a stale copy of one record for its first reads, then the truth: how a
// use case sees the world when another process commits between two of its reads (the
// keyed locks that prevent it within one process do not reach across processes).
import type { Store, StoredRecord } from '../../src/app/ports/store.ts';

export function laggingStore(store: Store, kind: string, stale: StoredRecord, staleReads: number): Store {
  let left = staleReads;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'getRecord') return Reflect.get(target, property, receiver) as unknown;
      return async (...args: Parameters<Store['getRecord']>): Promise<StoredRecord | null> => {
        if (args[1] === kind && args[2] === stale.id && left > 0) {
          left--;
          return stale;
        }
        return target.getRecord(...args);
      };
    },
  });
}
