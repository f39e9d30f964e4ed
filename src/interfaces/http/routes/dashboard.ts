// The browser dashboard (T5) at GET /: one static page, its stylesheet, its icon and one
// script bundled by esbuild from the TypeScript in src/interfaces/web on first request (and
// kept in memory). Nothing comes from another origin, and a strict Content Security Policy
// says so; the page talks only to this API, with the key the user pastes.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Resolved when first needed, not at import: a CommonJS bundle has no import.meta.url. */
function webFile(name: string): string {
  return fileURLToPath(new URL(`../../web/${name}`, import.meta.url));
}

export const dashboardContentSecurityPolicy = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

type Asset = { readonly type: string; readonly body: string };
const assets = new Map<string, Promise<Asset>>();

async function bundleScript(): Promise<Asset> {
  // Loaded only when the dashboard is asked for: the API and Lambda never need esbuild.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [webFile('dashboard.ts')], bundle: true, write: false, format: 'esm', target: 'es2022',
    platform: 'browser', legalComments: 'none', logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no dashboard script');
  return { type: 'text/javascript; charset=utf-8', body: output.text };
}

async function readAsset(file: string, type: string): Promise<Asset> {
  return { type, body: await readFile(webFile(file), 'utf8') };
}

/** Each asset is produced once per process; a failed build is retried on the next request. */
function asset(name: string, produce: () => Promise<Asset>): Promise<Asset> {
  let found = assets.get(name);
  if (found === undefined) {
    found = produce();
    void found.catch(() => assets.delete(name));
    assets.set(name, found);
  }
  return found;
}

async function sendAsset(reply: FastifyReply, produced: Promise<Asset>): Promise<FastifyReply> {
  const { type, body } = await produced;
  return reply
    .code(200).type(type)
    .header('content-security-policy', dashboardContentSecurityPolicy)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .send(body);
}

export function registerDashboardRoutes(app: FastifyInstance): void {
  const hide = { schema: { hide: true } };
  app.get('/', hide, (_request, reply) => sendAsset(reply, asset('html', () => readAsset('dashboard.html', 'text/html; charset=utf-8'))));
  app.get('/dashboard/dashboard.css', hide, (_request, reply) => sendAsset(reply, asset('css', () => readAsset('dashboard.css', 'text/css; charset=utf-8'))));
  app.get('/dashboard/icon.svg', hide, (_request, reply) => sendAsset(reply, asset('icon', () => readAsset('icon.svg', 'image/svg+xml'))));
  app.get('/dashboard/dashboard.js', hide, (_request, reply) => sendAsset(reply, asset('script', bundleScript)));
}
