import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canMoveDispute, disputeReference } from './dispute-lifecycle.ts';

describe('dispute lifecycle', () => {
  it('moves open → investigating → resolved, and open or investigating → escalated', () => {
    assert.ok(canMoveDispute('open', 'investigating'));
    assert.ok(canMoveDispute('investigating', 'resolved'));
    assert.ok(canMoveDispute('open', 'escalated'));
    assert.ok(canMoveDispute('investigating', 'escalated'));
    assert.ok(canMoveDispute('escalated', 'resolved'));
  });
  it('refuses skipping the investigation, reopening, and leaving resolved', () => {
    assert.ok(!canMoveDispute('open', 'resolved'));
    assert.ok(!canMoveDispute('investigating', 'open'));
    assert.ok(!canMoveDispute('resolved', 'investigating'));
    assert.ok(!canMoveDispute('open', 'open'));
  });
  it('numbers references per year with six digits at least', () => {
    assert.equal(disputeReference(2026, 7), 'DSP-2026-000007');
    assert.equal(disputeReference(2026, 1_234_567), 'DSP-2026-1234567');
  });
});
