// Where the DynamoDB tests run: the DynamoDB Local that scripts/run-tests.mjs starts for
// the run (CONTRA_TEST_DYNAMODB_ENDPOINT), with tables of random names per test file.
// Under CI an unreachable emulator fails the run; elsewhere the tests are skipped, and say so.
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { TableNames } from './tables.ts';

const probeTimeoutMs = 3_000;

export type Availability = { readonly available: true; readonly endpoint: string } | { readonly available: false; readonly reason: string };

/** A client for the emulator; DynamoDB Local accepts any credentials. */
export function emulatorClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'contratest', secretAccessKey: 'contratest' }, maxAttempts: 3 });
}

function unavailable(reason: string): Availability {
  if (process.env['CI'] !== undefined && process.env['CI'] !== '') {
    throw new Error(`DynamoDB Local is required under CI: ${reason}`);
  }
  return { available: false, reason };
}

export async function probeTestEmulator(): Promise<Availability> {
  const endpoint = process.env['CONTRA_TEST_DYNAMODB_ENDPOINT'];
  if (endpoint === undefined || endpoint === '') {
    return unavailable('CONTRA_TEST_DYNAMODB_ENDPOINT is not set (scripts/run-tests.mjs starts DynamoDB Local when Java is installed)');
  }
  const client = emulatorClient(endpoint);
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(probeTimeoutMs) });
    return { available: true, endpoint };
  } catch (error) {
    return unavailable(`${endpoint} does not answer: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    client.destroy();
  }
}

/** Table names of their own for one test file, and a way to delete them after. */
export function testTables(prefix: string): TableNames & { drop(endpoint: string): Promise<void> } {
  const suffix = randomBytes(6).toString('hex');
  const ledger = `${prefix}-PaymentLedger-${suffix}`;
  const audit = `${prefix}-PaymentAuditTrail-${suffix}`;
  return {
    ledger,
    audit,
    async drop(endpoint: string) {
      const client = emulatorClient(endpoint);
      try {
        await Promise.all([ledger, audit].map((table) => client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined)));
      } finally {
        client.destroy();
      }
    },
  };
}
