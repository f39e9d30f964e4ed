// A store that dies once, at the first commit a fault test picks: the crash between two
// steps of a use case, after which nothing of that commit may be found.
import type { Changeset, Store } from '../../src/app/ports/store.ts';

export function crashingOnce(store: Store, at: (changeset: Changeset) => boolean, message: string): Store {
  let armed = true;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'commit') {
        return async (changeset: Changeset) => {
          if (armed && at(changeset)) {
            armed = false;
            throw new Error(message);
          }
          return target.commit(changeset);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
