// The composition root shared by the server, the CLI and (later) Lambda: from one Config,
// wire the store, key vault, processors and clock into the use cases' Dependencies.
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { defaultAppSettings, type Dependencies } from '../app/dependencies.ts';
import { Authenticator } from '../app/access/authenticate.ts';
import { ensureBootstrapToken } from '../app/access/bootstrap.ts';
import type { Store } from '../app/ports/store.ts';
import type { Clock, IdGenerator } from '../app/ports/clock.ts';
import type { CardProcessor } from '../app/ports/card-processor.ts';
import { openPostgresStore } from '../adapters/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../adapters/store/sqlite/sqlite-store.ts';
import { openLocalKeyVault } from '../adapters/key-vault/local/local-key-vault.ts';
import { SimulatorProcessor } from '../adapters/processors/simulator/simulator-processor.ts';
import { withTimeout } from '../app/processor-timeout.ts';
import { simulatorNormalizationTable } from '../domain/processors/simulator-codes.ts';
import { systemClock, ulidGenerator } from '../adapters/system/system-clock.ts';

export type Runtime = {
  readonly deps: Dependencies;
  readonly authenticator: Authenticator;
  close(): Promise<void>;
};

export type RuntimeOverrides = { readonly clock?: Clock; readonly ids?: IdGenerator; readonly processors?: readonly CardProcessor[] };

async function openStore(config: Config, clock: Clock): Promise<Store> {
  switch (config.store.kind) {
    case 'sqlite':
      mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
      // Created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
      if (!existsSync(config.store.path)) closeSync(openSync(config.store.path, 'a', 0o600));
      return openSqliteStore({ path: config.store.path, clock });
    case 'postgres':
      return openPostgresStore({ connectionString: config.store.url, clock });
    case 'dynamodb': {
      // Loaded only when selected: the AWS SDK is large and the other stores never need it.
      const [{ DynamoDBClient }, { openDynamoDbStore }] = await Promise.all([
        import('@aws-sdk/client-dynamodb'), import('../adapters/store/dynamodb/dynamodb-store.ts'),
      ]);
      // Credentials come from the SDK's default chain (environment, profile, role).
      const { region, endpoint, ledgerTable, auditTable } = config.store;
      const client = new DynamoDBClient({ region, ...(endpoint === null ? {} : { endpoint }) });
      return openDynamoDbStore({ client, tables: { ledger: ledgerTable, audit: auditTable }, clock });
    }
  }
}

export async function openRuntime(config: Config, logger: Logger, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const clock = overrides.clock ?? systemClock;
  const store = await openStore(config, clock);
  await store.migrate();
  const vault = await openLocalKeyVault({ masterKeyFile: config.masterKeyFile, clock });
  const processors = overrides.processors ?? [new SimulatorProcessor({ latencyMs: config.simulatorLatencyMs })];
  const deps: Dependencies = {
    store,
    vault,
    clock,
    ids: overrides.ids ?? ulidGenerator(),
    processors: new Map(processors.map((processor) => [processor.processorId, withTimeout(processor, config.processorTimeoutMs)])),
    normalization: simulatorNormalizationTable,
    settings: {
      ...defaultAppSettings,
      processorTimeoutMs: config.processorTimeoutMs,
      requeryDelayMs: config.requeryDelayMs,
      requeryAttemptsMax: config.requeryAttemptsMax,
    },
  };
  const authenticator = new Authenticator(deps);
  if (config.adminToken === null) {
    const generated = await ensureBootstrapToken(deps);
    if (generated !== null) {
      // Printed once, on purpose: this is the only time the token exists in clear.
      process.stderr.write(`\nContra bootstrap admin token (shown once, store it safely):\n  ${generated}\n\n`);
    }
  } else {
    authenticator.useBootstrapToken(config.adminToken);
  }
  logger.debug({ store: config.store.kind }, 'runtime opened');
  return { deps, authenticator, close: () => store.close() };
}
