// Specification of the NIP response-code table (P3, V2): every code of the requirement
// has a canonical outcome and a failure type; uncertain codes are pending, never guessed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeReply } from '../processors/normalize.ts';
import { nipNormalizationTable, nipRailId } from './nip-codes.ts';
import { failureTypeOf } from './failure-type.ts';

const normalize = (responseCode: string) => normalizeReply(nipNormalizationTable, nipRailId, { kind: 'reply', raw: { responseCode, sessionID: 'S1' } });

describe('NIP response codes', () => {
  const table: [string, string, string, string][] = [
    // code, outcome kind, outcome code, failure type when it fails
    ['00', 'approved', 'approved', 'declined'],
    ['01', 'pending', 'status_unknown', 'status_unknown'],
    ['03', 'declined', 'invalid_sender', 'account_error'],
    ['05', 'declined', 'do_not_honor', 'declined'],
    ['06', 'declined', 'dormant_account', 'account_error'],
    ['07', 'declined', 'invalid_account', 'account_error'],
    ['08', 'declined', 'account_name_mismatch', 'account_error'],
    ['09', 'pending', 'in_progress', 'status_unknown'],
    ['12', 'declined', 'invalid_transaction', 'declined'],
    ['13', 'declined', 'invalid_amount', 'declined'],
    ['16', 'declined', 'unknown_bank_code', 'routing_error'],
    ['25', 'error', 'not_found', 'declined'],
    ['26', 'pending', 'duplicate', 'status_unknown'],
    ['51', 'declined', 'insufficient_funds', 'insufficient_funds'],
    ['57', 'declined', 'not_permitted', 'declined'],
    ['61', 'declined', 'limit_exceeded', 'declined'],
    ['91', 'declined', 'bank_unavailable', 'system_glitch'],
    ['92', 'declined', 'routing_error', 'routing_error'],
    ['94', 'pending', 'duplicate', 'status_unknown'],
    ['96', 'declined', 'system_malfunction', 'system_glitch'],
    ['97', 'pending', 'timeout', 'timeout'],
    ['42', 'pending', 'unknown_code', 'status_unknown'],
  ];
  for (const [code, kind, outcomeCode, failureType] of table) {
    it(`reads ${code} as ${kind}/${outcomeCode} (failure type ${failureType})`, () => {
      const outcome = normalize(code);
      assert.deepEqual([outcome.kind, outcome.code, outcome.processorReference], [kind, outcomeCode, 'S1']);
      assert.equal(failureTypeOf(outcome.code), failureType);
    });
  }

  it('does not believe a reply without a two-digit response code', () => {
    for (const raw of [{}, { responseCode: 0 }, { responseCode: '0' }, { responseCode: '000' }]) {
      assert.equal(normalizeReply(nipNormalizationTable, nipRailId, { kind: 'reply', raw }).code, 'unreadable_reply');
    }
  });

  it('counts no answer as a timeout', () => {
    assert.equal(failureTypeOf(normalizeReply(nipNormalizationTable, nipRailId, { kind: 'no_answer', reason: 'timeout' }).code), 'timeout');
  });
});
