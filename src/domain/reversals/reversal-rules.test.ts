// Specification of the reversal rules (V4, V5): automatic or manual, maker-checker with a
// manager above the high-value threshold, and the TXR reference format.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideApproval, decidePaidResolution, decideRollback, decideReversalMode, reversalReference, type ReversalRules } from './reversal-rules.ts';
import { findGlitchBursts } from './glitch-bursts.ts';

const rules: ReversalRules = {
  autoFailureTypes: ['timeout', 'system_glitch', 'routing_error'],
  autoAmountMaxMinor: 10_000_000n,
  manualChannels: ['branch'],
  managerThresholdMinor: 100_000_000n,
};

describe('decideReversalMode', () => {
  const table: [string, Parameters<typeof decideReversalMode>[0], 'automatic' | 'manual'][] = [
    ['a manual channel wins over everything', { failureType: 'timeout', amountMinor: 1n, channel: 'branch' }, 'manual'],
    ['a failure type off the list is manual', { failureType: 'orphaned_debit', amountMinor: 1n, channel: 'mobile' }, 'manual'],
    ['an amount above the limit is manual', { failureType: 'timeout', amountMinor: 10_000_001n, channel: 'mobile' }, 'manual'],
    ['an amount at the limit is automatic', { failureType: 'timeout', amountMinor: 10_000_000n, channel: 'mobile' }, 'automatic'],
    ['a listed type below the limit is automatic', { failureType: 'system_glitch', amountMinor: 500n, channel: 'api' }, 'automatic'],
  ];
  it('never reverses a customer report automatically, even when a tenant lists it', () => {
    const listed = { ...rules, autoFailureTypes: [...rules.autoFailureTypes, 'customer_report' as const] };
    assert.equal(decideReversalMode({ failureType: 'customer_report', amountMinor: 1n, channel: 'mobile' }, listed).mode, 'manual');
  });
  for (const [name, failure, mode] of table) {
    it(name, () => {
      assert.equal(decideReversalMode(failure, rules).mode, mode);
    });
  }
});

describe('decideApproval', () => {
  it('refuses the requester as approver, whatever the role', () => {
    const decided = decideApproval({ requester: 'api_key:a', amountMinor: 1n }, { initiator: 'api_key:a', isManager: true }, rules);
    assert.equal(decided.ok ? 'ok' : decided.code, 'approver_is_requester');
  });
  it('refuses a non-manager above the high-value threshold', () => {
    const decided = decideApproval({ requester: 'api_key:a', amountMinor: 100_000_001n }, { initiator: 'api_key:b', isManager: false }, rules);
    assert.equal(decided.ok ? 'ok' : decided.code, 'manager_approval_required');
  });
  it('admits a manager above the threshold and anyone else at or below it', () => {
    assert.ok(decideApproval({ requester: 'system', amountMinor: 100_000_001n }, { initiator: 'api_key:b', isManager: true }, rules).ok);
    assert.ok(decideApproval({ requester: 'system', amountMinor: 100_000_000n }, { initiator: 'api_key:b', isManager: false }, rules).ok);
  });
});

describe('decideRollback (R8)', () => {
  const reversal = { requester: 'api_key:a', decidedBy: 'api_key:b', amountMinor: 1n };
  it('refuses the reversal\'s requester and its approver', () => {
    for (const initiator of ['api_key:a', 'api_key:b']) {
      const decided = decideRollback(reversal, { initiator, isManager: true }, rules);
      assert.equal(decided.ok ? 'ok' : decided.code, 'approver_is_requester', initiator);
    }
  });
  it('keeps the manager rule above the threshold and admits a third person', () => {
    const big = { ...reversal, amountMinor: 100_000_001n };
    const refused = decideRollback(big, { initiator: 'api_key:c', isManager: false }, rules);
    assert.equal(refused.ok ? 'ok' : refused.code, 'manager_approval_required');
    assert.ok(decideRollback(big, { initiator: 'api_key:c', isManager: true }, rules).ok);
    assert.ok(decideRollback({ requester: 'system:detection', amountMinor: 1n }, { initiator: 'api_key:c', isManager: false }, rules).ok);
  });
});

describe('reversalReference', () => {
  it('pads the sequence to six digits and grows past them', () => {
    assert.equal(reversalReference(2026, 123), 'TXR-2026-000123');
    assert.equal(reversalReference(2026, 1_234_567), 'TXR-2026-1234567');
  });
});

describe('decidePaidResolution', () => {
  it('lets a person settle as paid only a held transfer the switch never said failed', () => {
    for (const failureType of ['timeout', 'status_unknown', 'orphaned_debit', 'customer_report'] as const) {
      assert.equal(decidePaidResolution({ held: true, failureType }).ok, true, failureType);
      assert.equal(decidePaidResolution({ held: false, failureType }).ok, false, `${failureType}, no longer held`);
    }
    for (const failureType of ['system_glitch', 'insufficient_funds', 'declined', 'routing_error', 'account_error'] as const) {
      assert.deepEqual(decidePaidResolution({ held: true, failureType }), {
        ok: false, code: 'transfer_definitely_failed', field: 'resolution', detail: `the switch reported a definite failure (${failureType}): approve the reversal instead`,
      });
    }
  });
});

describe('findGlitchBursts', () => {
  it('flags a bank with enough glitches inside the window and ignores older ones', () => {
    const failures = [
      ...Array.from({ length: 5 }, (_, index) => ({ bankCode: '999', at: 1000 + index })),
      { bankCode: '058', at: 1001 }, { bankCode: '058', at: 10 },
    ];
    assert.deepEqual(findGlitchBursts(failures, 1010, 100, 2), [{ bankCode: '999', count: 5, windowStartAt: 910, windowEndAt: 1010 }]);
    assert.deepEqual(findGlitchBursts(failures, 1010, 100, 6), []);
  });
});
