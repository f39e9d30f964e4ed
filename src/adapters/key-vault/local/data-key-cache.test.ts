// Specification of the data-key caches: the sealing key's limits and the bounded,
// least-recently-used cache of unwrapped keys.
import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { SealingKeyCache, UnwrappedKeyCache, type DataKey } from './data-key-cache.ts';

function newDataKey(name: string): DataKey {
  return { key: createSecretKey(randomBytes(32)), wrappedKey: name };
}

describe('sealing key cache', () => {
  it('makes a new key after messagesMax messages or ageMaxMs', () => {
    let nowMs = 0;
    const cache = new SealingKeyCache({ messagesMax: 2, ageMaxMs: 100 }, { now: () => nowMs });
    let made = 0;
    const take = () => cache.take(() => newDataKey(`key-${++made}`)).wrappedKey;
    assert.deepEqual([take(), take(), take()], ['key-1', 'key-1', 'key-2']);
    nowMs = 99;
    assert.equal(take(), 'key-2');
    nowMs = 100;
    assert.equal(take(), 'key-3');
  });

  it('refuses limits that would never or always make a new key', () => {
    const clock = { now: () => 0 };
    assert.throws(() => new SealingKeyCache({ messagesMax: 0, ageMaxMs: 100 }, clock));
    assert.throws(() => new SealingKeyCache({ messagesMax: 1.5, ageMaxMs: 100 }, clock));
    assert.throws(() => new SealingKeyCache({ messagesMax: 1, ageMaxMs: 0 }, clock));
    assert.throws(() => new SealingKeyCache({ messagesMax: 1, ageMaxMs: Number.POSITIVE_INFINITY }, clock));
  });
});

describe('unwrapped key cache', () => {
  it('evicts the least recently used entry beyond its bound', () => {
    const cache = new UnwrappedKeyCache(2);
    const keys = ['a', 'b', 'c'].map((name) => newDataKey(name));
    cache.set('a', keys[0]!.key);
    cache.set('b', keys[1]!.key);
    assert.equal(cache.get('a'), keys[0]!.key);
    cache.set('c', keys[2]!.key);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), keys[0]!.key);
    assert.equal(cache.get('c'), keys[2]!.key);
  });

  it('keeps nothing with a bound of zero', () => {
    const cache = new UnwrappedKeyCache(0);
    cache.set('a', newDataKey('a').key);
    assert.equal(cache.size, 0);
  });
});
