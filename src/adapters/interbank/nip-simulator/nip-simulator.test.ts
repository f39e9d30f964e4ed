// Specification of the NIP simulator (API.md "Simulator test inputs"): the account
// number's last two digits are the first answer; the TSQ settles 01/09/97 by the parity
// of the third-last digit; a key never received answers 25; resends keep the session.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NipSimulator, sessionIdFor, statusCodeFor, transferCodeFor } from './nip-simulator.ts';

const request = (accountNumber: string, idempotencyKey = `key-${accountNumber}`, bankCode = '999') => ({
  idempotencyKey, bankCode, accountNumber, accountName: 'Ada Obi', amountMinor: 100n, currency: 'NGN' as const, narration: 'test',
});

describe('NIP simulator', () => {
  const table: [string, string, string, string][] = [
    // bank, account, first answer, status query
    ['999', '0123456700', '00', '00'],
    ['999', '0123456791', '91', '91'],
    ['999', '0123456097', '97', '00'],
    ['999', '0123456197', '97', '05'],
    ['999', '0123456201', '01', '00'],
    ['999', '0123456309', '09', '05'],
    ['058', '0123456700', '16', '16'],
  ];
  for (const [bank, account, first, status] of table) {
    it(`answers ${first} then TSQ ${status} for ${account} at bank ${bank}`, () => {
      assert.equal(transferCodeFor(bank, account), first);
      assert.equal(statusCodeFor(bank, account), status);
    });
  }

  it('answers a status query for a key it never received with 25, and the real status once sent', async () => {
    const simulator = new NipSimulator();
    const signal = new AbortController().signal;
    const query = { idempotencyKey: 'k1', bankCode: '999', accountNumber: '0123456097' };
    assert.deepEqual(await simulator.query(query, signal), { kind: 'reply', raw: { responseCode: '25', sessionID: sessionIdFor('k1') } });
    await simulator.transfer(request('0123456097', 'k1'), signal);
    assert.deepEqual(await simulator.query(query, signal), { kind: 'reply', raw: { responseCode: '00', sessionID: sessionIdFor('k1') } });
    simulator.forget();
    assert.equal((await simulator.query(query, signal)).kind === 'reply' ? 'reply' : 'none', 'reply');
  });

  it('gives the same 30-digit session to a resend under the same key', async () => {
    const simulator = new NipSimulator();
    const signal = new AbortController().signal;
    const first = await simulator.transfer(request('0123456700', 'same'), signal);
    const again = await simulator.transfer(request('0123456700', 'same'), signal);
    assert.deepEqual(first, again);
    assert.match(sessionIdFor('same'), /^[0-9]{30}$/);
  });

  it('ends an aborted call with no answer', async () => {
    const simulator = new NipSimulator({ latencyMs: 10_000 });
    const controller = new AbortController();
    const call = simulator.transfer(request('0123456700'), controller.signal);
    controller.abort();
    assert.deepEqual(await call, { kind: 'no_answer', reason: 'timeout' });
  });
});
