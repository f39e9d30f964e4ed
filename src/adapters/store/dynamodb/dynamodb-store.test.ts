// The DynamoDB store: the conformance suite every adapter passes, on DynamoDB Local, then
// what is particular to DynamoDB (the 100-item transaction limit, sharded hot accounts).
// Skipped, with the reason, when no emulator is reachable outside CI.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { InternalServerError, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import type { Changeset } from '../../../app/ports/store.ts';
import type { AccountId, AuditRecordId, TenantId, TransferId } from '../../../domain/ids.ts';
import type { TransferWrite } from '../../../domain/journal/transfers.ts';
import { runStoreConformance } from '../conformance.ts';
import { systemClock } from '../../system/system-clock.ts';
import { transactItemsMax, TransactionTooLargeError } from './commit-plan.ts';
import { openDynamoDbStore, type DynamoDbStore } from './dynamodb-store.ts';
import { ledgerKeys } from './keys.ts';
import { emulatorClient, probeTestEmulator, testTables } from './test-emulator.ts';
import type { TableNames } from './tables.ts';

const at = 1_700_000_000_000;

function accounts(tenantId: TenantId): Changeset {
  return {
    tenantId, at,
    accounts: [
      { id: 'clearing' as AccountId, tenantId, type: 'processor_clearing', currency: 'NGN', name: 'clearing', allowNegative: true },
      { id: 'merchant' as AccountId, tenantId, type: 'merchant', currency: 'NGN', name: 'merchant', allowNegative: true },
    ],
  };
}

function paymentTransfer(index: number): TransferWrite {
  return { id: `pay-${index}` as TransferId, kind: 'posted', debitAccountId: 'clearing' as AccountId, creditAccountId: 'merchant' as AccountId, amountMinor: 1_000n, currency: 'NGN', code: 'payment' };
}

function payment(tenantId: TenantId, index: number): Changeset {
  return { tenantId, at, transfers: [paymentTransfer(index)] };
}

async function withStore(endpoint: string, tables: TableNames, test: (store: DynamoDbStore, tenantId: TenantId) => Promise<void>): Promise<void> {
  const store = openDynamoDbStore({ client: emulatorClient(endpoint), tables, clock: systemClock });
  try {
    await store.migrate();
    const tenantId = `ten_ddb_${randomUUID()}` as TenantId;
    assert.ok((await store.commit(accounts(tenantId))).ok);
    await test(store, tenantId);
  } finally {
    await store.close();
  }
}

function dynamoDbSpecifics(endpoint: string, tables: TableNames): void {
  void describe('dynamodb store', () => {
    it(`refuses, unwritten, a changeset within the port limits that needs more than ${transactItemsMax} transaction items`, () => withStore(endpoint, tables, async (store, tenantId) => {
      // The tenant is listed already: each entry is one item.
      const entries = Array.from({ length: transactItemsMax + 1 }, (_, index) => ({ transactionId: 'txn-1', sequence: index + 1, status: 'X', at, transferIds: [], details: {} }));
      await assert.rejects(store.commit({ tenantId, at, ledgerEntries: entries }), TransactionTooLargeError);
      assert.deepEqual(await store.listLedgerEntries(tenantId, 'txn-1'), []);
      assert.ok((await store.commit({ tenantId, at, ledgerEntries: entries.slice(0, transactItemsMax) })).ok, 'exactly the limit commits');
    }));

    it('reports a stale record version before a missing account, in the order SQL stores check', () => withStore(endpoint, tables, async (store, tenantId) => {
      assert.ok((await store.commit({ tenantId, at, records: [{ kind: 'payment', id: 'p-1', body: {}, expectedVersion: 0 }] })).ok);
      const missingAccount = { ...paymentTransfer(1), debitAccountId: 'nobody' as AccountId };
      assert.deepEqual(await store.commit({ tenantId, at, records: [{ kind: 'payment', id: 'p-1', body: {}, expectedVersion: 0 }], transfers: [missingAccount] }),
        { ok: false, conflict: { kind: 'version', recordKind: 'payment', id: 'p-1' } });
      assert.deepEqual(await store.commit({ tenantId, at, accounts: accounts(tenantId).accounts ?? [], transfers: [{ ...paymentTransfer(2), currency: 'USD' }] }),
        { ok: false, conflict: { kind: 'account_exists', accountId: 'clearing' } });
    }));

    it('sends the same request again when DynamoDB answers a committed transaction with a 500: written once, reported committed', async () => {
      // A client whose next TransactWriteItems is applied, but answered with a 500 (as AWS may after a commit).
      const client = emulatorClient(endpoint);
      const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
      let failNext = false;
      const tokens: (string | undefined)[] = [];
      (client as unknown as { send: (command: unknown) => Promise<unknown> }).send = async (command: unknown) => {
        const output = await send(command);
        if (command instanceof TransactWriteItemsCommand) {
          tokens.push(command.input.ClientRequestToken);
          if (failNext) {
            failNext = false;
            throw new InternalServerError({ message: 'Internal server error', $metadata: { httpStatusCode: 500 } });
          }
        }
        return output;
      };
      const store = openDynamoDbStore({ client, tables, clock: systemClock });
      try {
        await store.migrate();
        const tenantId = `ten_ddb_${randomUUID()}` as TenantId;
        assert.ok((await store.commit(accounts(tenantId))).ok);
        failNext = true;
        tokens.length = 0;
        const audit = { id: 'aud-1' as AuditRecordId, stream: 'tenant', at, action: 'tenant.read', initiator: 'test', status: 'READ' };
        assert.ok((await store.commit({ tenantId, at, audit: [audit], transfers: [paymentTransfer(1)] })).ok, 'a committed changeset is not a conflict');
        assert.equal(tokens.length, 2);
        assert.equal(tokens[0], tokens[1], 'the same request, not a new plan');
        const records: string[] = [];
        await store.scanAudit(tenantId, () => (record) => { records.push(`${record.id}#${record.sequence}`); });
        assert.deepEqual(records, ['aud-1#1']);
        assert.equal((await store.getAccounts(tenantId, ['merchant' as AccountId])).get('merchant' as AccountId)?.creditsPosted, 1_000n);
      } finally {
        await store.close();
      }
    });

    it('spreads concurrent payments to a hot account over balance shards, none refused, and reads their sum', () => withStore(endpoint, tables, async (store, tenantId) => {
      const results = await Promise.all(Array.from({ length: 24 }, (_, index) => store.commit(payment(tenantId, index))));
      assert.ok(results.every((result) => result.ok));
      assert.equal((await store.getAccounts(tenantId, ['merchant' as AccountId])).get('merchant' as AccountId)?.creditsPosted, 24_000n);
      const client = emulatorClient(endpoint);
      try {
        const output = await client.send(new QueryCommand({
          TableName: tables.ledger, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :shard)',
          ExpressionAttributeValues: { ':pk': { S: ledgerKeys.account(tenantId, 'merchant') }, ':shard': { S: ledgerKeys.accountShardPrefix } },
        }));
        assert.ok((output.Items ?? []).length > 1, 'the merchant balance lives in more than one shard');
      } finally {
        client.destroy();
      }
    }));
  });
}

const availability = await probeTestEmulator();

if (availability.available) {
  // Tables of their own for this file; every specification works under tenants of its own.
  const tables = testTables('conformance');
  after(() => tables.drop(availability.endpoint));
  runStoreConformance('dynamodb', () => Promise.resolve(openDynamoDbStore({ client: emulatorClient(availability.endpoint), tables, clock: systemClock })));
  dynamoDbSpecifics(availability.endpoint, tables);
} else {
  void describe('store conformance: dynamodb', () => {
    before(() => {
      process.stderr.write(`DynamoDB tests skipped: ${availability.reason}\n`);
    });
    void it('is skipped: no DynamoDB emulator reachable', { skip: availability.reason }, () => undefined);
  });
}
