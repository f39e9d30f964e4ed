import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkIncidentMove, failureTrigger, incidentReference, incidentTriggers } from './incident.ts';

describe('incident rules (D3)', () => {
  const rules = { amountThresholdMinor: 1_000_000_00n, triggers: incidentTriggers };
  it('finds a failure significant at the threshold or when escalated, escalation first', () => {
    assert.equal(failureTrigger(rules, { amountMinor: 999_999_99n, escalated: false }), null);
    assert.equal(failureTrigger(rules, { amountMinor: 1_000_000_00n, escalated: false }), 'high_value');
    assert.equal(failureTrigger(rules, { amountMinor: 5_000_000_00n, escalated: true }), 'requery_escalation');
    assert.equal(failureTrigger({ ...rules, triggers: ['high_value'] }, { amountMinor: 1n, escalated: true }), null);
    assert.equal(failureTrigger({ ...rules, triggers: [] }, { amountMinor: 5_000_000_00n, escalated: true }), null);
  });
  it('allows open → submitted → resolved and refuses every other move by name', () => {
    assert.deepEqual(checkIncidentMove('open', 'submit'), { ok: true, value: 'submitted' });
    assert.deepEqual(checkIncidentMove('submitted', 'resolve'), { ok: true, value: 'resolved' });
    const refusals = [checkIncidentMove('open', 'resolve'), checkIncidentMove('submitted', 'submit'), checkIncidentMove('resolved', 'submit'), checkIncidentMove('resolved', 'resolve')];
    assert.deepEqual(refusals.map((result) => (result.ok ? 'ok' : result.code)), ['incident_not_submitted', 'incident_already_submitted', 'incident_resolved', 'incident_resolved']);
  });
  it('numbers incidents INC-<year>-<seq>', () => {
    assert.equal(incidentReference(2026, 42), 'INC-2026-000042');
    assert.equal(incidentReference(2027, 1_234_567), 'INC-2027-1234567');
  });
});
