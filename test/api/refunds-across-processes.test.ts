// Refunds of one payment through two Contra processes at once (R3, R6): within one process
// the use case's keyed lock serializes them; across processes only the store's version
// checks do. A second, real `contra serve` runs on the same store (SQLite file, PostgreSQL
// or DynamoDB Local) and the two race: never more refunded than was captured, one refund
// per Idempotency-Key, and every refusal a 4xx — never a 500.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { secondProcess, stopSecondProcess, type SecondProcess } from '../support/second-process.ts';
import { call, createTenant, type Response, type Tenant } from '../support/client.ts';
import { assertLedgerBalances } from '../support/ledger-check.ts';
import { ledger, paid, payment, refund } from '../support/refunds.ts';

describe('refunds of one payment through two processes at once', () => {
  let service: TestService;
  let second: SecondProcess;
  let tenant: Tenant;
  before(async () => {
    service = await startService();
    tenant = await createTenant(service, 'Two-process refunds');
    second = await secondProcess(service);
  });
  afterEach(async () => assertLedgerBalances(service.runtime.deps.store));
  after(async () => {
    await stopSecondProcess(second);
    await service.close();
  });

  const texts = (answers: readonly Response[]): string => `${answers.map((answer) => `${answer.status} ${answer.text}`).join('\n')}\n${second.output()}`;

  it('never refunds more than was captured: two refunds of 60.00 of a 100.00 payment, one in each process', async () => {
    for (let round = 0; round < 5; round++) {
      const transactionId = `xp-refund-${round}`;
      await paid(service, tenant, transactionId);
      const answers = await Promise.all([
        refund(service, tenant, transactionId, { amount: '60.00' }, `${transactionId}-a`),
        refund(second.peer, tenant, transactionId, { amount: '60.00' }, `${transactionId}-b`),
      ]);
      assert.equal(answers.filter((answer) => answer.status === 200).length, 1, texts(answers));
      const refused = answers.find((answer) => answer.status !== 200);
      assert.ok(refused !== undefined && [409, 422].includes(refused.status), texts(answers));
      assert.equal((refused.body['error'] as { code: string }).code, 'refund_exceeds_remaining', texts(answers));
      assert.equal((await payment(service, tenant, transactionId))['refunded'], '60.00');
    }
  });

  it('rolls a refund back once when two approvers ask through the two processes at once (R8)', async () => {
    for (let round = 0; round < 5; round++) {
      const transactionId = `xp-rollback-${round}`;
      await paid(service, tenant, transactionId);
      const refunded = await refund(service, tenant, transactionId, { amount: '40.00' }, `${transactionId}-refund`);
      assert.equal(refunded.status, 200, refunded.text);
      const refundId = String(refunded.body['refund_transaction_id']);
      const rollBack = (where: TestService) => call(where, 'POST', `/api/v1/refunds/${refundId}/rollback`, { reason: 'refunded the wrong order' }, { token: tenant.keys['approver']! });
      const answers = await Promise.all([rollBack(service), rollBack(second.peer)]);
      assert.equal(answers.filter((answer) => answer.status === 200).length, 1, texts(answers));
      const refused = answers.find((answer) => answer.status !== 200);
      assert.ok(refused !== undefined && [409, 422].includes(refused.status), texts(answers));
      assert.equal((await payment(service, tenant, transactionId))['refunded'], '0.00');
    }
  });

  it('makes one refund of one Idempotency-Key sent to both processes, and both answer with it', async () => {
    for (let round = 0; round < 5; round++) {
      const transactionId = `xp-key-${round}`;
      await paid(service, tenant, transactionId);
      const key = `${transactionId}-key`;
      const answers = await Promise.all([
        refund(service, tenant, transactionId, { amount: '30.00' }, key),
        refund(second.peer, tenant, transactionId, { amount: '30.00' }, key),
      ]);
      assert.ok(answers.every((answer) => answer.status === 200 || answer.status === 409), texts(answers));
      const refunded = answers.filter((answer) => answer.status === 200).map((answer) => answer.body['refund_transaction_id']);
      assert.ok(refunded.length >= 1, texts(answers));
      assert.equal(new Set(refunded).size, 1, 'a replay answers with the same refund');
      assert.equal((await payment(service, tenant, transactionId))['refunded'], '30.00');
      const refunds = (await ledger(service, tenant, transactionId)).transfers.filter((transfer) => transfer.code === 'refund');
      assert.ok(refunds.length <= 2, `one refund's hold and posting at most: ${JSON.stringify(refunds)}`);
    }
  });
});
