// A database row as the adapters hand it to the codecs: column name to value, integers as
// bigint, booleans as 0/1, JSON as text. Each column is decoded and checked on its own.
export type Row = Readonly<Record<string, unknown>>;
export type SqlValue = string | number | bigint | null;
