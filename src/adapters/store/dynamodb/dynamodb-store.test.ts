// The DynamoDB store: the conformance suite every adapter passes, on DynamoDB Local.
// Skipped, with the reason, when no emulator is reachable outside CI.
import { after, before, describe, it } from 'node:test';
import { runStoreConformance } from '../conformance.ts';
import { systemClock } from '../../system/system-clock.ts';
import { openDynamoDbStore } from './dynamodb-store.ts';
import { emulatorClient, probeTestEmulator, testTables } from './test-emulator.ts';

const availability = await probeTestEmulator();

if (availability.available) {
  // Tables of their own for this file; every specification works under tenants of its own.
  const tables = testTables('conformance');
  after(() => tables.drop(availability.endpoint));
  runStoreConformance('dynamodb', () => Promise.resolve(openDynamoDbStore({ client: emulatorClient(availability.endpoint), tables, clock: systemClock })));
} else {
  void describe('store conformance: dynamodb', () => {
    before(() => {
      process.stderr.write(`DynamoDB tests skipped: ${availability.reason}\n`);
    });
    void it('is skipped: no DynamoDB emulator reachable', { skip: availability.reason }, () => undefined);
  });
}
