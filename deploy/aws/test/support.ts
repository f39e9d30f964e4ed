// The stack synthesized once for every test file: offline, into a temporary directory,
// with a fixed account and region so that ARNs and service names are predictable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ContraStack } from '../lib/contra-stack.ts';

export type Synthesized = { readonly template: Template; readonly assemblyDirectory: string };

let synthesized: Synthesized | null = null;

export function synthesize(): Synthesized {
  if (synthesized !== null) return synthesized;
  const outdir = mkdtempSync(join(tmpdir(), 'contra-cdk-'));
  // The assembly holds the bundle (about 11 MB); it is read by the tests, then removed.
  process.once('exit', () => {
    rmSync(outdir, { recursive: true, force: true });
  });
  const app = new App({ outdir });
  const stack = new ContraStack(app, 'Contra', { env: { account: '123456789012', region: 'eu-west-1' } });
  const template = Template.fromStack(stack);
  synthesized = { template, assemblyDirectory: app.synth().directory };
  return synthesized;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type CfnResource = { readonly Properties: Record<string, unknown>; readonly DeletionPolicy?: string };

/** Every resource of a type, as [logical id, resource] pairs (the template is untyped JSON). */
export function resourcesOf(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.findResources(type)).map(([id, resource]) => {
    const properties: unknown = resource['Properties'];
    const deletionPolicy: unknown = resource['DeletionPolicy'];
    const props = isRecord(properties) ? properties : {};
    return [id, typeof deletionPolicy === 'string' ? { Properties: props, DeletionPolicy: deletionPolicy } : { Properties: props }];
  });
}
