// Specification of reply normalization (P3): no answer and unreadable or unknown replies
// are pending, never guessed; code tables are data a deployment can override.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  mergeNormalizationTable, normalizationOverridesSchema, normalizeReply,
  processorCodeLengthMax, processorReferenceLengthMax, type ReplyToNormalize,
} from './normalize.ts';
import { simulatorNormalizationTable, simulatorProcessorId } from './simulator-codes.ts';

const table = simulatorNormalizationTable;
const normalize = (reply: ReplyToNormalize) => normalizeReply(table, simulatorProcessorId, reply);
const replyOf = (raw: Record<string, unknown>): ReplyToNormalize => ({ kind: 'reply', raw });
const protoKeyOverrides: unknown = JSON.parse('{"simulator":{"codes":{"__proto__":{"kind":"approved","code":"x","message":"x","retryable":false}}}}');

describe('normalizeReply', () => {
  it('makes a timeout pending with code timeout', () => {
    const outcome = normalize({ kind: 'no_answer', reason: 'timeout' });
    assert.equal(outcome.kind, 'pending');
    assert.equal(outcome.code, 'timeout');
    assert.equal(outcome.retryable, true);
    assert.ok(!('processorReference' in outcome));
  });

  it('makes a network failure pending with code no_answer', () => {
    const outcome = normalize({ kind: 'no_answer', reason: 'network' });
    assert.deepEqual([outcome.kind, outcome.code], ['pending', 'no_answer']);
  });

  it('reads a known code through the table and keeps the processor reference', () => {
    const outcome = normalize(replyOf({ ssl_result: '0', ssl_result_message: 'APPROVAL', ssl_txn_id: 'T-1' }));
    assert.deepEqual(outcome, {
      kind: 'approved', code: 'approved', retryable: false,
      message: 'The processor approved the request.', processorReference: 'T-1',
    });
  });

  it('makes an unknown code pending, with its reference, so it is requeried and not guessed', () => {
    const outcome = normalize(replyOf({ ssl_result: '1', ssl_result_message: 'DECLINED: SOMETHING NEW', ssl_txn_id: 'T-2' }));
    assert.deepEqual([outcome.kind, outcome.code, outcome.retryable, outcome.processorReference], ['pending', 'unknown_code', true, 'T-2']);
  });

  it('does not let a code named like an Object property reach a prototype', () => {
    const outcome = normalize(replyOf({ errorCode: 'constructor' }));
    assert.equal(outcome.code, 'unknown_code');
    assert.equal(normalize(replyOf({ ssl_result: '0', ssl_result_message: '__proto__', ssl_txn_id: 'T' })).code, 'unknown_code');
  });

  const garbage: { name: string; raw: Record<string, unknown> }[] = [
    { name: 'an empty object', raw: {} },
    { name: 'an HTML error page', raw: { html: '<h1>502</h1>' } },
    { name: 'a truncated result', raw: { ssl_result: '0' } },
    { name: 'an approval without a transaction id', raw: { ssl_result: '0', ssl_result_message: 'APPROVAL' } },
    { name: 'fields of the wrong type', raw: { ssl_result: 0, ssl_result_message: 'APPROVAL', ssl_txn_id: 'T' } },
    { name: 'a result flag outside 0 and 1', raw: { ssl_result: '2', ssl_result_message: 'APPROVAL', ssl_txn_id: 'T' } },
    { name: 'an error envelope with a numeric code', raw: { errorCode: 4025 } },
    { name: 'an error and a result at once', raw: { errorCode: 'NOT_FOUND', ssl_result: '0', ssl_result_message: 'APPROVAL', ssl_txn_id: 'T' } },
    { name: 'an oversized reference', raw: { ssl_result: '0', ssl_result_message: 'APPROVAL', ssl_txn_id: 'x'.repeat(processorReferenceLengthMax + 1) } },
    { name: 'an oversized code', raw: { ssl_result: '1', ssl_result_message: 'D'.repeat(processorCodeLengthMax), ssl_txn_id: 'T' } },
  ];
  for (const { name, raw } of garbage) {
    it(`makes ${name} pending with code unreadable_reply`, () => {
      const outcome = normalize(replyOf(raw));
      assert.deepEqual([outcome.kind, outcome.code, outcome.retryable], ['pending', 'unreadable_reply', true]);
      assert.ok(!('processorReference' in outcome), 'a reference from an unreadable reply is not trusted');
    });
  }

  it('keeps a reply from a processor without a code table pending', () => {
    const outcome = normalizeReply(table, 'unknown-processor', replyOf({ ssl_result: '0', ssl_result_message: 'APPROVAL', ssl_txn_id: 'T' }));
    assert.deepEqual([outcome.kind, outcome.code], ['pending', 'no_code_table']);
  });
});

describe('normalization overrides', () => {
  const overrides = normalizationOverridesSchema.parse({
    simulator: {
      codes: {
        '1:DECLINED: DO NOT HONOR': { kind: 'declined', code: 'issuer_declined', message: 'Declined by the issuer.', retryable: false },
        '1:DECLINED: CALL ISSUER': { kind: 'declined', code: 'call_issuer', message: 'Ask the customer to call the issuer.', retryable: false },
      },
    },
  });

  it('replaces the meaning of a known code and adds new codes', () => {
    const merged = mergeNormalizationTable(table, overrides);
    assert.ok(merged.ok);
    const replaced = normalizeReply(merged.value, simulatorProcessorId, replyOf({ ssl_result: '1', ssl_result_message: 'DECLINED: DO NOT HONOR', ssl_txn_id: 'T' }));
    assert.equal(replaced.code, 'issuer_declined');
    const added = normalizeReply(merged.value, simulatorProcessorId, replyOf({ ssl_result: '1', ssl_result_message: 'DECLINED: CALL ISSUER', ssl_txn_id: 'T' }));
    assert.deepEqual([added.kind, added.code], ['declined', 'call_issuer']);
    const untouched = normalizeReply(merged.value, simulatorProcessorId, replyOf({ ssl_result: '0', ssl_result_message: 'APPROVAL', ssl_txn_id: 'T' }));
    assert.equal(untouched.code, 'approved');
  });

  it('leaves the base table as it was', () => {
    mergeNormalizationTable(table, overrides);
    const base = normalize(replyOf({ ssl_result: '1', ssl_result_message: 'DECLINED: DO NOT HONOR', ssl_txn_id: 'T' }));
    assert.equal(base.code, 'do_not_honor');
  });

  it('refuses overrides for a processor the deployment has no reader for', () => {
    const merged = mergeNormalizationTable(table, { 'no-such-processor': { codes: {} } });
    assert.ok(!merged.ok);
    assert.deepEqual([merged.code, merged.field], ['unknown_processor', 'no-such-processor']);
  });

  const invalid: { name: string; json: unknown }[] = [
    { name: 'an unknown kind', json: { simulator: { codes: { X: { kind: 'maybe', code: 'x', message: 'x', retryable: false } } } } },
    { name: 'a code that is not lower_snake_case', json: { simulator: { codes: { X: { kind: 'declined', code: 'Do Not Honor', message: 'x', retryable: false } } } } },
    { name: 'a missing retryable flag', json: { simulator: { codes: { X: { kind: 'declined', code: 'x', message: 'x' } } } } },
    { name: 'an attempt to change the unknown-code rule', json: { simulator: { codes: {}, unknownCode: { kind: 'approved', code: 'x', message: 'x', retryable: false } } } },
  ];
  for (const { name, json } of invalid) {
    it(`rejects an overrides file with ${name}`, () => {
      assert.equal(normalizationOverridesSchema.safeParse(json).success, false);
    });
  }

  it('drops a __proto__ key instead of letting it reach a prototype', () => {
    const parsed = normalizationOverridesSchema.parse(protoKeyOverrides);
    const merged = mergeNormalizationTable(table, parsed);
    assert.ok(merged.ok);
    assert.equal(merged.value.get(simulatorProcessorId)?.codes.has('__proto__'), false);
    assert.equal('kind' in (parsed['simulator']?.codes ?? {}), false, 'the rule did not become a prototype');
    assert.equal(normalize(replyOf({ ssl_result: '0', ssl_result_message: '__proto__', ssl_txn_id: 'T' })).code, 'unknown_code');
  });
});
