// A proxy request handed to the HTTP application in process (Fastify inject, no socket),
// and its reply turned into the proxy result API Gateway expects. The Lambda handlers
// therefore answer exactly as the HTTP API does: same routes, checks and error codes.
import type { FastifyInstance } from 'fastify';
import { errorReply } from '../error-catalog.ts';
import type { ProxyRequest, ProxyResult } from './proxy-event.ts';

const jsonType = 'application/json; charset=utf-8';
/** Content types sent as text; anything else (images of the docs page) goes back base64. */
const textualType = /^(text\/|application\/(json|javascript|xml|problem\+json))/;

export function errorResult(code: string, field?: string, detail?: string): ProxyResult {
  const reply = errorReply(code, field, detail);
  return { statusCode: reply.statusCode, headers: { 'content-type': jsonType }, body: JSON.stringify(reply.body) };
}

function headerText(value: string | number | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'object' ? value.join(', ') : String(value);
}

export async function injectProxyRequest(app: FastifyInstance, request: ProxyRequest): Promise<ProxyResult> {
  // The body may have been base64-decoded: its length is recomputed, never trusted.
  const { 'content-length': _length, ...headers } = request.headers;
  const response = await app.inject({
    method: request.method,
    url: request.query === '' ? request.path : `${request.path}?${request.query}`,
    headers,
    ...(request.body === undefined ? {} : { payload: request.body }),
  });
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    const text = headerText(value);
    // API Gateway computes the length and framing of what it sends itself.
    if (text !== undefined && name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') sent[name] = text;
  }
  sent['content-type'] ??= jsonType;
  if (textualType.test(sent['content-type'])) return { statusCode: response.statusCode, headers: sent, body: response.body };
  return { statusCode: response.statusCode, headers: sent, body: response.rawPayload.toString('base64'), isBase64Encoded: true };
}
