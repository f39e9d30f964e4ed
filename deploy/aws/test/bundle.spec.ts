// Specification of the Lambda bundle: built locally by esbuild (no Docker), one CommonJS
// file that loads with no node_modules at all, exports every handler of the contract, and
// carries no better-sqlite3 (the native module of the embedded store).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lambdaHandlerNames } from '../../../src/interfaces/lambda/lambda-contract.ts';
import { resourcesOf, synthesize } from './support.ts';

/** The asset hash in a function's `Code: { S3Bucket, S3Key: '<hash>.zip' }`. */
function assetKey(code: unknown): string {
  const key = typeof code === 'object' && code !== null && 'S3Key' in code ? code.S3Key : undefined;
  assert.ok(typeof key === 'string', 'a function without an S3 asset');
  return key.replace(/\.zip$/, '');
}

const { template, assemblyDirectory } = synthesize();
const assets = [...new Set(resourcesOf(template, 'AWS::Lambda::Function')
  .filter(([, fn]) => String(fn.Properties['Handler']).startsWith('index.'))
  .map(([, fn]) => assetKey(fn.Properties['Code'])))];

describe('AWS stack: Lambda bundle', () => {
  it('is one file per asset, with its source map, and no node_modules or native module beside it', () => {
    assert.ok(assets.length >= 1);
    for (const asset of assets) {
      const files = readdirSync(join(assemblyDirectory, `asset.${asset}`)).sort();
      assert.deepEqual(files, ['index.js', 'index.js.map']);
    }
  });

  it('leaves better-sqlite3 out, requiring it only when the embedded store is chosen', () => {
    for (const asset of assets) {
      const code = readFileSync(join(assemblyDirectory, `asset.${asset}`, 'index.js'), 'utf8');
      assert.ok(code.includes('require("better-sqlite3")'), 'the store adapter asks for it by name');
      // Strings only the library's own JavaScript contains.
      for (const part of ['better_sqlite3.node', 'Database.prototype.prepare', 'node-gyp-build']) assert.ok(!code.includes(part), part);
    }
  });

  it('loads in a bare Node process and exports every handler', () => {
    for (const asset of assets) {
      const directory = join(assemblyDirectory, `asset.${asset}`);
      assert.ok(!existsSync(join(directory, 'node_modules')));
      const loaded = spawnSync(process.execPath, ['-e', 'process.stdout.write(JSON.stringify(Object.keys(require("./index.js")).sort()))'], { cwd: directory, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
      assert.equal(loaded.status, 0, loaded.stderr);
      assert.deepEqual(JSON.parse(loaded.stdout), Object.values(lambdaHandlerNames).sort());
    }
  });
});
