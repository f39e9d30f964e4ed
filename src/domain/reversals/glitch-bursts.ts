// System-glitch bursts (V2): many 91/96 failures at one bank within a window mean the
// bank or the switch is down, not that each customer's transfer was wrong. Pure: the
// failures and the time are arguments.

export type GlitchFailure = { readonly bankCode: string; readonly at: number };
export type GlitchBurst = { readonly bankCode: string; readonly count: number; readonly windowStartAt: number; readonly windowEndAt: number };

/** Banks with at least `threshold` glitch failures in the window ending at `now`, most first. */
export function findGlitchBursts(failures: readonly GlitchFailure[], now: number, windowMs: number, threshold: number): GlitchBurst[] {
  const windowStartAt = now - windowMs;
  const counts = new Map<string, number>();
  for (const failure of failures) {
    if (failure.at < windowStartAt || failure.at > now) continue;
    counts.set(failure.bankCode, (counts.get(failure.bankCode) ?? 0) + 1);
  }
  return [...counts.entries()]
    .filter(([, count]) => count >= threshold)
    .map(([bankCode, count]) => ({ bankCode, count, windowStartAt, windowEndAt: now }))
    .sort((a, b) => b.count - a.count || a.bankCode.localeCompare(b.bankCode));
}
