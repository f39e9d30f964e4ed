// Specification of the simulator's Converge-shaped replies and their code table: how a
// reply is read into a result code, and what each code means.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeReply, outcomeCodePattern, type ReplyToNormalize } from './normalize.ts';
import { readConvergeReply, simulatorCodeTable, simulatorNormalizationTable, simulatorProcessorId } from './simulator-codes.ts';

const normalize = (raw: Record<string, unknown>) => {
  const reply: ReplyToNormalize = { kind: 'reply', raw };
  return normalizeReply(simulatorNormalizationTable, simulatorProcessorId, reply);
};

describe('reading a Converge-shaped reply', () => {
  const cases: { name: string; raw: Record<string, unknown>; resultCode: string; reference?: string }[] = [
    { name: 'an approval', raw: { ssl_result: '0', ssl_result_message: 'APPROVAL', ssl_txn_id: 'A' }, resultCode: '0:APPROVAL', reference: 'A' },
    { name: 'a decline', raw: { ssl_result: '1', ssl_result_message: 'DECLINED: DO NOT HONOR', ssl_txn_id: 'B' }, resultCode: '1:DECLINED: DO NOT HONOR', reference: 'B' },
    { name: 'a status query of an approved sale', raw: { ssl_result: '0', ssl_result_message: 'APPROVAL', ssl_txn_id: 'C', ssl_trans_status: 'PEN', ssl_transaction_type: 'SALE' }, resultCode: 'status:PEN', reference: 'C' },
    { name: 'a status query of a declined sale', raw: { ssl_result: '1', ssl_result_message: 'DECLINED', ssl_txn_id: 'D', ssl_trans_status: 'STL' }, resultCode: '1:DECLINED', reference: 'D' },
    { name: 'an error envelope', raw: { errorCode: 'NOT_FOUND', errorMessage: 'No transaction found.' }, resultCode: 'error:NOT_FOUND' },
    { name: 'an error envelope with a transaction id', raw: { errorCode: 'DUPLICATE', errorMessage: 'Duplicate', ssl_txn_id: 'E' }, resultCode: 'error:DUPLICATE', reference: 'E' },
  ];
  for (const { name, raw, resultCode, reference } of cases) {
    it(`reads ${name} as ${resultCode}`, () => {
      assert.deepEqual(readConvergeReply(raw), { resultCode, ...(reference === undefined ? {} : { processorReference: reference }) });
    });
  }
});

describe('the simulator code table', () => {
  const expected: { resultCode: string; raw: Record<string, unknown>; kind: string; code: string; retryable: boolean }[] = [
    { resultCode: '0:APPROVAL', raw: { ssl_result: '0', ssl_result_message: 'APPROVAL', ssl_txn_id: 'T' }, kind: 'approved', code: 'approved', retryable: false },
    { resultCode: '1:DECLINED: DO NOT HONOR', raw: { ssl_result: '1', ssl_result_message: 'DECLINED: DO NOT HONOR', ssl_txn_id: 'T' }, kind: 'declined', code: 'do_not_honor', retryable: false },
    { resultCode: '1:DECLINED: INSUFFICIENT FUNDS', raw: { ssl_result: '1', ssl_result_message: 'DECLINED: INSUFFICIENT FUNDS', ssl_txn_id: 'T' }, kind: 'declined', code: 'insufficient_funds', retryable: false },
    { resultCode: '1:DECLINED', raw: { ssl_result: '1', ssl_result_message: 'DECLINED', ssl_txn_id: 'T' }, kind: 'declined', code: 'declined', retryable: false },
    ...([['STL', 'approved', 'approved', false], ['PEN', 'pending', 'processor_pending', true], ['OPN', 'pending', 'processor_open', true],
      ['REV', 'pending', 'processor_review', true], ['PST', 'declined', 'post_auth_rule', false], ['FPR', 'declined', 'fraud_rule', false],
      ['PRE', 'declined', 'pre_auth_rule', false]] as const).map(([status, kind, code, retryable]) => ({
      resultCode: `status:${status}`, raw: { ssl_result: '0', ssl_result_message: 'APPROVAL', ssl_txn_id: 'T', ssl_trans_status: status }, kind, code, retryable,
    })),
    { resultCode: 'error:PROCESSOR_UNAVAILABLE', raw: { errorCode: 'PROCESSOR_UNAVAILABLE', errorMessage: 'x' }, kind: 'error', code: 'processor_error', retryable: true },
    { resultCode: 'error:NOT_FOUND', raw: { errorCode: 'NOT_FOUND', errorMessage: 'x' }, kind: 'error', code: 'not_found', retryable: true },
    { resultCode: 'error:INVALID_REFERENCE', raw: { errorCode: 'INVALID_REFERENCE', errorMessage: 'x' }, kind: 'error', code: 'invalid_reference', retryable: false },
    { resultCode: 'error:INVALID_CARD', raw: { errorCode: 'INVALID_CARD', errorMessage: 'x' }, kind: 'error', code: 'invalid_card_number', retryable: false },
    { resultCode: 'error:DUPLICATE', raw: { errorCode: 'DUPLICATE', errorMessage: 'x' }, kind: 'pending', code: 'duplicate', retryable: true },
  ];
  for (const { resultCode, raw, kind, code, retryable } of expected) {
    it(`normalizes ${resultCode} to ${kind} ${code}`, () => {
      const outcome = normalize(raw);
      assert.deepEqual([outcome.kind, outcome.code, outcome.retryable], [kind, code, retryable]);
    });
  }

  it('has a specification above for every code it knows', () => {
    assert.deepEqual([...simulatorCodeTable.codes.keys()].sort(), expected.map((entry) => entry.resultCode).sort());
  });

  it('uses well-formed outcome codes and messages throughout', () => {
    for (const rule of [...simulatorCodeTable.codes.values(), simulatorCodeTable.unknownCode]) {
      assert.match(rule.code, outcomeCodePattern);
      assert.ok(rule.message.length > 0 && rule.message.endsWith('.'), rule.message);
    }
  });

  it('makes an unknown status pending', () => {
    const outcome = normalize({ ssl_result: '0', ssl_result_message: 'APPROVAL', ssl_txn_id: 'T', ssl_trans_status: 'XYZ' });
    assert.deepEqual([outcome.kind, outcome.code], ['pending', 'unknown_code']);
  });
});
