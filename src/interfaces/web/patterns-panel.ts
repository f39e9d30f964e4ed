// The failure-pattern chart (V7): failures by failure type as inline SVG bars, with the
// period's totals and the service's recommendations in words.
import type { ApiClient } from './api-client.ts';
import { element, replaceContent, showMessage } from './dom.ts';
import { countOf, percentOf, recordsOf, textOf, type WireRecord } from './wire-values.ts';

const svgNamespace = 'http://www.w3.org/2000/svg';
const barHeight = 22;
const labelWidth = 170;
const barsWidth = 360;

function svg(tag: string, attributes: Record<string, string>, text?: string): SVGElement {
  const created = document.createElementNS(svgNamespace, tag);
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  if (text !== undefined) created.textContent = text;
  return created;
}

export function failureChart(rows: readonly { label: string; value: number }[]): SVGElement {
  const largest = Math.max(1, ...rows.map((row) => row.value));
  const height = Math.max(1, rows.length) * (barHeight + 6);
  const chart = svg('svg', { class: 'chart', role: 'img', 'aria-labelledby': 'patterns-chart-title', width: String(labelWidth + barsWidth + 40), height: String(height), viewBox: `0 0 ${labelWidth + barsWidth + 40} ${height}` });
  chart.append(svg('title', { id: 'patterns-chart-title' }, `Failures by type: ${rows.map((row) => `${row.label} ${row.value}`).join(', ') || 'none'}`));
  rows.forEach((row, index) => {
    const y = index * (barHeight + 6);
    const width = Math.round((row.value * barsWidth) / largest);
    chart.append(
      svg('text', { x: '0', y: String(y + barHeight - 6) }, row.label),
      svg('rect', { class: 'bar', x: String(labelWidth), y: String(y), width: String(Math.max(width, 1)), height: String(barHeight), 'data-failure-type': row.label, 'data-failures': String(row.value) }),
      svg('text', { x: String(labelWidth + width + 6), y: String(y + barHeight - 6) }, String(row.value)),
    );
  });
  return chart;
}

function summary(body: WireRecord): string {
  const transfers = countOf(body, 'transfers');
  const failures = countOf(body, 'failures');
  return `${transfers} transfers to other banks, ${failures} failed${transfers === 0 ? '' : ` (${percentOf(failures, transfers) ?? '0.0%'})`}.`;
}

export async function loadPatterns(api: ApiClient): Promise<void> {
  const answer = await api.get('/api/v1/transactions/reversals/patterns');
  if (!answer.ok) {
    showMessage('patterns-message', `Failure patterns: ${answer.message}`);
    replaceContent('patterns-chart');
    return;
  }
  showMessage('patterns-message', '');
  const rows = recordsOf(answer.body, 'by_failure_type').map((row) => ({ label: textOf(row, 'failure_type'), value: countOf(row, 'failures') }));
  const advice = recordsOf(answer.body, 'spikes').map((spike) => `Spike: ${textOf(spike, 'dimension')} ${textOf(spike, 'key')}`);
  const recommendations = answer.body['recommendations'];
  const lines = [...advice, ...(Array.isArray(recommendations) ? recommendations.filter((line): line is string => typeof line === 'string') : [])];
  replaceContent('patterns-chart',
    element('p', { id: 'patterns-summary' }, [summary(answer.body)]),
    rows.length === 0 ? element('p', {}, ['No failures in the period.']) : failureChart(rows),
    ...(lines.length === 0 ? [] : [element('ul', {}, lines.map((line) => element('li', {}, [line])))]));
}
