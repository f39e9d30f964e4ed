// The API's own reference (API.md): the OpenAPI 3.1 document at /api/v1/openapi.json and
// the interactive reference at /docs, whose page and assets @fastify/static serves — the
// one place the service serves files, so the dependency pinned for Node 20 (package.json
// overrides) is exercised here through the real HTTP server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startService, type TestService } from '../support/service.ts';
import { call } from '../support/client.ts';

describe('API reference', () => {
  let service: TestService;
  before(async () => {
    service = await startService();
  });
  after(async () => service.close());

  it('publishes the OpenAPI 3.1 document with the public paths', async () => {
    const answer = await call(service, 'GET', '/api/v1/openapi.json');
    assert.equal(answer.status, 200, answer.text);
    assert.match(String(answer.body['openapi']), /^3\.1\./);
    const paths = Object.keys(answer.body['paths'] as Record<string, unknown>);
    assert.ok(paths.includes('/api/v1/payments'), paths.join(', '));
  });

  it('serves the interactive reference page and its static assets', async () => {
    const page = await fetch(`${service.baseUrl}/docs/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    const asset = /(?:href|src)="\.?\/?(static\/[^"]+\.(?:css|js))"/.exec(html)?.[1];
    assert.ok(asset !== undefined, `the page names a static asset: ${html.slice(0, 400)}`);
    const served = await fetch(`${service.baseUrl}/docs/${asset}`);
    assert.equal(served.status, 200, asset);
    assert.ok((await served.arrayBuffer()).byteLength > 1_000, `${asset} has content`);
  });
});
