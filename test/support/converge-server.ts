// A stand-in for Converge's processxml.do endpoint, serving the recorded-shape fixtures in
// test/fixtures/converge (written from Converge's documented replies, not captured from a
// real account). It listens on 127.0.0.1 on a random port and keeps every request's
// decoded xmldata fields so tests can check what was sent.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readReply } from '../../src/adapters/processors/converge/converge-xml.ts';

export type ConvergeRequest = { readonly contentType: string; readonly fields: Readonly<Record<string, string>> };

/** How to answer one request: a fixture file (with an HTTP status), or never. */
export type ConvergeAnswer = { readonly fixture: string; readonly status?: number; readonly contentType?: string } | 'never';

export type ConvergeServer = {
  readonly url: string;
  readonly requests: ConvergeRequest[];
  /** Decides the answer to each request from its fields; replace it per test. */
  answer: (fields: Readonly<Record<string, string>>) => ConvergeAnswer;
  close(): Promise<void>;
};

export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/converge/${name}`, import.meta.url), 'utf8');
}

export async function startConvergeServer(): Promise<ConvergeServer> {
  const hanging = new Set<ServerResponse>();
  const state: ConvergeServer = {
    url: '',
    requests: [],
    answer: () => ({ fixture: 'sale-approved.xml' }),
    close: () => new Promise<void>((resolve) => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    }),
  };
  const server: Server = createServer((request, response) => {
    void handle(state, hanging, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { url: `http://127.0.0.1:${port}/VirtualMerchant/processxml.do` });
}

async function handle(state: ConvergeServer, hanging: Set<ServerResponse>, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const xml = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('xmldata') ?? '';
  const fields = readReply(xml) ?? {};
  state.requests.push({ contentType: request.headers['content-type'] ?? '', fields });
  const answer = state.answer(fields);
  if (answer === 'never') {
    hanging.add(response);
    return;
  }
  response.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/xml' });
  response.end(fixture(answer.fixture));
}
