// The PostgreSQL store: the conformance suite every adapter passes, on the local server.
// Skipped, with the reason, when no PostgreSQL is reachable outside CI.
import { after, before, describe, it } from 'node:test';
import { runStoreConformance } from '../conformance.ts';
import { systemClock } from '../../system/system-clock.ts';
import { openPostgresStore } from './postgres-store.ts';
import { createTestSchema, probeTestDatabase } from './test-database.ts';

const availability = await probeTestDatabase();

if (availability.available) {
  // A schema of its own for this run: migrations start from nothing, as on a new database.
  const schema = await createTestSchema('conformance');
  after(() => schema.drop());
  runStoreConformance('postgresql', () => Promise.resolve(openPostgresStore({ connectionString: schema.url, clock: systemClock, poolSize: 4 })));
} else {
  void describe('store conformance: postgresql', () => {
    before(() => {
      process.stderr.write(`PostgreSQL tests skipped: ${availability.reason}\n`);
    });
    void it('is skipped: no PostgreSQL reachable', { skip: availability.reason }, () => undefined);
  });
}
