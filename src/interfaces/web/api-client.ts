// The dashboard's only way to the API: the pasted key goes in the Authorization header of
// same-origin requests, never in a URL, and a refusal comes back as the API's own message.
import { isRecord, type WireRecord } from './wire-values.ts';

export type ApiAnswer =
  | { readonly ok: true; readonly body: WireRecord }
  | { readonly ok: false; readonly status: number; readonly message: string };

export type Query = Readonly<Record<string, string | undefined>>;

export type ApiClient = {
  get(path: string, query?: Query): Promise<ApiAnswer>;
  post(path: string, body?: WireRecord): Promise<ApiAnswer>;
};

export function createApiClient(apiKey: string): ApiClient {
  async function send(method: 'GET' | 'POST', path: string, query: Query, body: WireRecord | undefined): Promise<ApiAnswer> {
    const url = new URL(path, window.location.origin);
    for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(name, value);
    const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: body === undefined ? null : JSON.stringify(body), cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' });
    } catch {
      return { ok: false, status: 0, message: 'The service could not be reached.' };
    }
    const parsed: unknown = await response.json().catch(() => null);
    const record = isRecord(parsed) ? parsed : {};
    if (response.ok) return { ok: true, body: record };
    const message = typeof record['message'] === 'string' ? record['message'] : 'The request failed.';
    return { ok: false, status: response.status, message: `${message} (HTTP ${response.status})` };
  }
  return {
    get: (path, query = {}) => send('GET', path, query, undefined),
    post: (path, body) => send('POST', path, {}, body),
  };
}

/** Every item of a listing, following next_cursor for at most `pagesMax` pages of 200. */
export async function listAll(api: ApiClient, path: string, query: Query, pagesMax = 5): Promise<{ items: WireRecord[]; complete: boolean } | { error: string }> {
  const items: WireRecord[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < pagesMax; page++) {
    const answer = await api.get(path, { ...query, limit: '200', cursor });
    if (!answer.ok) return { error: answer.message };
    const data = answer.body['data'];
    if (Array.isArray(data)) items.push(...data.filter(isRecord));
    const next = answer.body['next_cursor'];
    if (typeof next !== 'string') return { items, complete: true };
    cursor = next;
  }
  return { items, complete: false };
}
