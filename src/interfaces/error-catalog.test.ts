// The error catalog is published (STYLE.md §3, T7): docs/reference/errors.md must list
// exactly the catalog's codes with the same status and message, every code a use case or
// the HTTP layer can return must be in the catalog (else it would reach clients as a
// 500), and errors render in the seeds' body shape.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { errorCatalog, errorReply, isErrorCode } from './error-catalog.ts';

const sourceRoot = fileURLToPath(new URL('..', import.meta.url));
const documentPath = fileURLToPath(new URL('../../docs/reference/errors.md', import.meta.url));

type DocumentedCode = { readonly status: number; readonly message: string };

/** Rows of the form `| \`code\` | 400 | message | when |` in the reference page. */
function documentedCodes(): Map<string, DocumentedCode> {
  const rows = new Map<string, DocumentedCode>();
  for (const line of readFileSync(documentPath, 'utf8').split('\n')) {
    const match = /^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|([^|]*)\|/.exec(line);
    if (match === null) continue;
    const [, code = '', status = '', message = ''] = match;
    assert.ok(!rows.has(code), `errors.md lists ${code} twice`);
    rows.set(code, { status: Number(status), message: message.trim() });
  }
  return rows;
}

function sourceFiles(directory: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) found.push(...sourceFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

/**
 * The files reachable through relative imports from `entries`, the entries included: the
 * domain code that use cases and interfaces actually run, and not domain code that nothing
 * uses yet (whose codes reach no client).
 */
function reachableFiles(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(/\bfrom '(\.{1,2}\/[^']+\.ts)'/g)) {
      queue.push(resolve(dirname(file), match[1] ?? ''));
    }
  }
  return [...seen].sort();
}

function under(path: string): string[] {
  const root = join(sourceRoot, path);
  return statSync(root).isDirectory() ? sourceFiles(root) : [root];
}

/** Every string literal that `pattern` captures in `files`, with the file it was first found in. */
function literalCodes(files: readonly string[], pattern: RegExp): Map<string, string> {
  const codes = new Map<string, string>();
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(pattern)) {
      const code = match[1];
      if (code !== undefined && !codes.has(code)) codes.set(code, file.slice(sourceRoot.length));
    }
  }
  return codes;
}

describe('error catalog', () => {
  const catalog = new Map(Object.entries(errorCatalog));

  it('is documented in docs/reference/errors.md with the same status and message for every code', () => {
    const documented = documentedCodes();
    for (const [code, entry] of catalog) {
      const row = documented.get(code);
      assert.ok(row !== undefined, `errors.md does not list ${code}`);
      assert.equal(row.status, entry.status, `errors.md gives ${code} another status`);
      assert.equal(row.message, entry.message, `errors.md gives ${code} another message`);
    }
    for (const code of documented.keys()) assert.ok(catalog.has(code), `errors.md lists ${code}, which the catalog does not have`);
  });

  it('has an entry for every code the use cases refuse with', () => {
    // Use cases (src/app) refuse with codes of their own and pass on the domain's refusals
    // (invalid_amount, card_expired, …), so the domain code they import is searched too.
    const files = reachableFiles([...under('app'), ...under('interfaces')]);
    assert.ok(files.some((file) => file.includes('/domain/money/')), 'the import walk did not reach the domain');
    const refused = literalCodes(files, /\brefuse\(\s*'([^']+)'/g);
    assert.ok(refused.size >= 10, `found only ${refused.size} refusal codes; the search pattern is probably broken`);
    for (const [code, file] of refused) assert.ok(isErrorCode(code), `${file} refuses with '${code}', which is not in the catalog`);
  });

  it('has an entry for every code the HTTP layer sends itself', () => {
    const sent = literalCodes(under('interfaces/http'), /\bsendError\(\s*\w+,\s*'([^']+)'/g);
    // The error handler maps schema problems on some fields to their own codes.
    const mapped = literalCodes(under('interfaces/http/error-handler.ts'), /\breturn '([a-z_]+)';/g);
    assert.ok(sent.size >= 5, `found only ${sent.size} codes; the search pattern is probably broken`);
    assert.ok(mapped.size >= 3, `found only ${mapped.size} mapped codes; the search pattern is probably broken`);
    for (const [code, file] of [...sent, ...mapped]) assert.ok(isErrorCode(code), `${file} sends '${code}', which is not in the catalog`);
  });

  it('keeps one status per code within the HTTP error range', () => {
    for (const [code, entry] of catalog) {
      assert.ok(entry.status >= 400 && entry.status <= 599, `${code} has status ${entry.status}`);
      assert.match(code, /^[a-z]+(_[a-z]+)*$/, 'codes are snake_case');
      assert.match(entry.message, /^[A-Z].*\.$/, `${code}: messages are sentences`);
    }
  });

  it('renders a refusal as { message, status: "error", error: { code, field?, detail? } }', () => {
    assert.deepEqual(errorReply('unauthorized'), {
      statusCode: 401,
      body: { message: 'A valid API key is required.', status: 'error', error: { code: 'unauthorized' } },
    });
    assert.deepEqual(errorReply('invalid_amount', 'amount', 'NGN has 2 decimal places'), {
      statusCode: 400,
      body: {
        message: 'The amount is not valid: amount NGN has 2 decimal places.',
        status: 'error',
        error: { code: 'invalid_amount', field: 'amount', detail: 'NGN has 2 decimal places' },
      },
    });
  });

  it('answers a code missing from the catalog as internal_error, without its name', () => {
    const reply = errorReply('no_such_code', 'field', 'detail');
    assert.equal(reply.statusCode, 500);
    assert.equal((reply.body['error'] as { code: string }).code, 'internal_error');
    assert.ok(!JSON.stringify(reply.body).includes('no_such_code'));
  });
});
