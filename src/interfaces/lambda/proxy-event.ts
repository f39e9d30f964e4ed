// API Gateway proxy events (REST API payload v1 and HTTP API payload v2) read into one
// request shape, and a reply written back as the proxy result API Gateway expects: the
// body as a string, exactly the text the HTTP API would have sent.
import { z } from 'zod';

export type ProxyRequest = {
  readonly method: string;
  readonly path: string;
  /** The query string without its `?`, percent-encoded; empty when there is none. */
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
};

export type ProxyResult = {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Set when the body is base64 (a binary reply); API Gateway decodes it for the client. */
  readonly isBase64Encoded?: boolean;
};

const headersSchema = z.record(z.string(), z.string().optional()).nullish();

const v1Schema = z.looseObject({
  httpMethod: z.string(),
  path: z.string(),
  queryStringParameters: z.record(z.string(), z.string().optional()).nullish(),
  multiValueQueryStringParameters: z.record(z.string(), z.array(z.string()).optional()).nullish(),
  headers: headersSchema,
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
});

const v2Schema = z.looseObject({
  version: z.literal('2.0'),
  rawPath: z.string(),
  rawQueryString: z.string().nullish(),
  headers: headersSchema,
  body: z.string().nullish(),
  isBase64Encoded: z.boolean().nullish(),
  requestContext: z.looseObject({ http: z.looseObject({ method: z.string() }) }),
});

function lowerCased(headers: Readonly<Record<string, string | undefined>> | null | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) result[name.toLowerCase()] = value;
  return result;
}

function decoded(body: string | null | undefined, base64: boolean | null | undefined): string | undefined {
  if (body === null || body === undefined) return undefined;
  return base64 === true ? Buffer.from(body, 'base64').toString('utf8') : body;
}

/**
 * REST API events carry the query decoded, as parameters (every value of a repeated
 * parameter only in the multi-value form); it is encoded again here.
 */
function v1Query(data: z.infer<typeof v1Schema>): string {
  const query = new URLSearchParams();
  if (data.multiValueQueryStringParameters) {
    for (const [name, values] of Object.entries(data.multiValueQueryStringParameters)) for (const value of values ?? []) query.append(name, value);
  } else {
    for (const [name, value] of Object.entries(data.queryStringParameters ?? {})) if (value !== undefined) query.append(name, value);
  }
  return query.toString();
}

/** Reads a v1 or v2 proxy event; null when the event is neither. */
export function readProxyEvent(event: unknown): ProxyRequest | null {
  const v2 = v2Schema.safeParse(event);
  if (v2.success) {
    const { data } = v2;
    return { method: data.requestContext.http.method.toUpperCase(), path: data.rawPath, query: data.rawQueryString ?? '', headers: lowerCased(data.headers), body: decoded(data.body, data.isBase64Encoded) };
  }
  const v1 = v1Schema.safeParse(event);
  if (v1.success) {
    const { data } = v1;
    return { method: data.httpMethod.toUpperCase(), path: data.path, query: v1Query(data), headers: lowerCased(data.headers), body: decoded(data.body, data.isBase64Encoded) };
  }
  return null;
}
