// Expected failures are values: a use case returns either its result or a named refusal.

export type Ok<T> = { readonly ok: true; readonly value: T };
export type Refusal<C extends string = string> = {
  readonly ok: false;
  readonly code: C;
  /** The request field at fault, when one is (`amount`, `card.number`). */
  readonly field?: string;
  /** A plain-language detail for the caller; never contains secrets or card data. */
  readonly detail?: string;
};
export type Result<T, C extends string = string> = Ok<T> | Refusal<C>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function refuse<C extends string>(code: C, field?: string, detail?: string): Refusal<C> {
  return {
    ok: false,
    code,
    ...(field === undefined ? {} : { field }),
    ...(detail === undefined ? {} : { detail }),
  };
}
