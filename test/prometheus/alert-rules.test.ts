// The Prometheus alerting rules shipped for the standalone service (T4,
// deploy/prometheus/contra-alerts.yml): every metric and label they match on is one the
// service really exports, every status or outcome value they name is one Contra really
// writes, and promtool accepts the rules and passes their unit tests
// (contra-alerts.test.yml: each alert fires on the series that should raise it, and stays
// quiet below its threshold or sample minimum). promtool comes from Debian's `prometheus`
// package; under CI it is required, elsewhere its absence skips that part with a notice.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createPrometheusMetrics } from '../../src/interfaces/metrics/prometheus-metrics.ts';
import { jobNames } from '../../src/interfaces/jobs/background-jobs.ts';
import { paymentStatuses } from '../../src/domain/payments/payment-status.ts';
import { refundStatuses } from '../../src/app/refunds/refund-record.ts';
import { transferStatuses } from '../../src/app/transfers/transfer-record.ts';
import { reversalStatuses } from '../../src/app/reversals/reversal-record.ts';

const folder = join(import.meta.dirname, '../../deploy/prometheus');
const rulesText = readFileSync(join(folder, 'contra-alerts.yml'), 'utf8');
/** Labels Prometheus adds at scrape time, or that the rules' tests give every series. */
const scrapeLabels = new Set(['job', 'instance']);

type Matcher = { readonly metric: string; readonly label: string; readonly value: string };

/** Every `name{label op "value", …}` in the rules' expressions. */
function matchers(text: string): { metrics: Set<string>; matchers: Matcher[] } {
  const metrics = new Set<string>();
  const found: Matcher[] = [];
  for (const match of text.matchAll(/\b(contra_[a-z0-9_]+|up)(\{([^}]*)\})?/g)) {
    const metric = match[1] ?? '';
    metrics.add(metric);
    for (const pair of (match[3] ?? '').matchAll(/([a-z_]+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
      found.push({ metric, label: pair[1] ?? '', value: pair[3] ?? '' });
    }
  }
  return { metrics, matchers: found };
}

function promtool(...args: string[]): ReturnType<typeof spawnSync> | null {
  const result = spawnSync('promtool', args, { cwd: folder, encoding: 'utf8' });
  return result.error === undefined ? result : null;
}

const promtoolMissing = promtool('--version') === null;
const skipPromtool = promtoolMissing && process.env['CI'] === undefined ? 'promtool is not installed (apt-get install prometheus)' : false;

describe('Prometheus alerting rules', () => {
  it('match only metrics and labels the service exports', async () => {
    const { registry } = createPrometheusMetrics();
    const exported = new Map<string, readonly string[]>();
    for (const metric of await registry.getMetricsAsJSON()) {
      const labelNames = (registry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
      exported.set(metric.name, labelNames);
    }
    const { metrics, matchers: used } = matchers(rulesText);
    assert.ok(metrics.size >= 6, [...metrics].join(', '));
    for (const metric of metrics) {
      if (metric === 'up') continue;
      assert.ok(exported.has(metric), `${metric} is not a metric of the service`);
    }
    for (const { metric, label } of used) {
      if (scrapeLabels.has(label)) continue;
      assert.ok(exported.get(metric)?.includes(label), `${metric} has no label ${label}`);
    }
  });

  it('name only statuses, outcomes and jobs Contra really writes', () => {
    const statuses = new Set<string>([...paymentStatuses, ...refundStatuses, ...transferStatuses, ...reversalStatuses]);
    const values: Record<string, Set<string>> = {
      kind: new Set(['payment', 'refund', 'transfer', 'reversal']),
      status: statuses,
      outcome: new Set(['committed', 'conflict', 'error', 'succeeded', 'failed', 'delivered', 'retryable_failure', 'refused']),
      job: new Set<string>([...jobNames, 'contra']),
    };
    for (const { label, value } of matchers(rulesText).matchers) {
      const known = values[label];
      if (known === undefined) continue;
      // A regular expression names alternatives with |; HTTP status patterns are not listed.
      for (const alternative of value.split('|')) {
        if (label === 'status' && /^\d/.test(alternative)) continue;
        assert.ok(known.has(alternative), `${label}="${alternative}" is never written`);
      }
    }
  });

  it('pass promtool check rules and their unit tests', { skip: skipPromtool }, () => {
    assert.ok(!promtoolMissing, 'promtool is required under CI (apt-get install prometheus)');
    for (const args of [['check', 'rules', 'contra-alerts.yml'], ['test', 'rules', 'contra-alerts.test.yml']]) {
      const run = promtool(...args);
      assert.ok(run !== null, 'promtool could not be started');
      assert.equal(run.status, 0, `promtool ${args.join(' ')}: ${String(run.stdout)}${String(run.stderr)}`);
      assert.match(String(run.stdout), /SUCCESS/);
    }
  });
});
