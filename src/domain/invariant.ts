// Assertions for conditions that can only fail through a bug. They are never caught:
// a broken invariant stops the operation before anything is committed.

export class InvariantError extends Error {
  override readonly name = 'InvariantError';
}

export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}

/** Marks a branch the type system has proven unreachable (exhaustive switches). */
export function unreachable(value: never): never {
  throw new InvariantError(`unreachable: ${JSON.stringify(value)}`);
}
