// A tiny seeded pseudo-random source (mulberry32) for the simulator's fault injection:
// the same seed gives the same sequence, so a failing simulation replays from its seed.
// Not for anything secret.

/** Returns a source of numbers in [0, 1), determined entirely by the 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
