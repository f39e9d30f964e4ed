// Everything a use case may touch, injected by a composition root (HTTP server, CLI,
// Lambda). Use cases depend on ports only, never on an adapter.
import type { Clock, IdGenerator } from './ports/clock.ts';
import type { KeyVault } from './ports/key-vault.ts';
import type { Store } from './ports/store.ts';
import type { CardProcessor } from './ports/card-processor.ts';
import type { PublicHolidays } from './ports/public-holidays.ts';
import type { InterbankRail } from './ports/interbank.ts';
import type { NormalizationTable } from '../domain/processors/normalize.ts';

export type AppSettings = {
  /** How long a processor call may take before its outcome counts as unknown. */
  readonly processorTimeoutMs: number;
  /** A pending payment is requeried only once it has been quiet this long. */
  readonly requeryDelayMs: number;
  readonly requeryAttemptsMax: number;
  /** A transfer still unconfirmed this long after its debit is an orphaned debit (V2). */
  readonly orphanGraceMs: number;
  /** System-glitch bursts (V2): this many 91/96 failures at one bank within the window. */
  readonly glitchWindowMs: number;
  readonly glitchBurstThreshold: number;
  /** A real-time reconciliation (V6) stops this far behind now, so a transfer being committed is not skipped. */
  readonly reconciliationLagMs: number;
};

export const defaultAppSettings: AppSettings = {
  processorTimeoutMs: 10_000,
  requeryDelayMs: 30_000,
  requeryAttemptsMax: 20,
  orphanGraceMs: 15 * 60_000,
  glitchWindowMs: 10 * 60_000,
  glitchBurstThreshold: 5,
  reconciliationLagMs: 10_000,
};

export type Dependencies = {
  readonly store: Store;
  readonly vault: KeyVault;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly processors: ReadonlyMap<string, CardProcessor>;
  /** The inter-bank switch transfers to other banks go through (V1). */
  readonly interbank: InterbankRail;
  readonly normalization: NormalizationTable;
  readonly settings: AppSettings;
  /** The computed public holidays that working-day deadlines skip (D1). */
  readonly publicHolidays: PublicHolidays;
};
