// Time and identity are injected so that every simulation replays from its seed.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export interface IdGenerator {
  /** A new unique, time-ordered id with the given prefix (`pay_01J…`). */
  next(prefix: string): string;
}
