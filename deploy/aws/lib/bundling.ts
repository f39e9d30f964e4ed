// How the Lambda code is bundled: esbuild from this package's own dependencies, on this
// machine, never in Docker. NodejsFunction would fall back to a Docker image when esbuild
// is missing; here that is refused with a message instead.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Left out of the bundle: better-sqlite3 is native and only the embedded store uses it (the
 * runtime imports store adapters only when chosen); pg-native is an optional part of pg.
 */
export const modulesLeftOut = ['better-sqlite3', 'pg-native'] as const;

export function assertLocalEsbuild(): void {
  try {
    createRequire(import.meta.url).resolve('esbuild');
  } catch {
    throw new Error('esbuild is not installed in deploy/aws: run `npm ci` there. Lambda code is bundled locally only, never in Docker.');
  }
}

export const bundlingOptions: BundlingOptions = {
  format: OutputFormat.CJS,
  target: 'node22',
  minify: true,
  sourceMap: true,
  // The SDK clients are bundled at the versions the application pins, not taken from the runtime.
  externalModules: [...modulesLeftOut],
  forceDockerBundling: false,
};

export const lockFile = join(repositoryRoot, 'package-lock.json');
