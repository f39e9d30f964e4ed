// The Lambda composition root: the same config loader and runtime as the server (so the
// store and key vault are chosen by the same variables), the HTTP application built once,
// and Powertools around it. Opened once per container and reused by warm invocations.
import type { DestinationStream } from 'pino';
import type { FastifyInstance } from 'fastify';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig, type Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { openRuntime, type Runtime, type RuntimeOverrides } from '../runtime.ts';
import { emfStoreMetrics } from './store-metrics.ts';
import { buildHttpServer } from '../http/server.ts';
import { createObservability, type Observability } from './observability.ts';

export type LambdaRoot = {
  readonly config: Config;
  readonly runtime: Runtime;
  readonly app: FastifyInstance;
  readonly observability: Observability;
  close(): Promise<void>;
};

export type LambdaRootOptions = {
  /** Powertools instances; by default made from the configured log level. */
  readonly observability?: Observability;
  /** Where the HTTP application's pino logs go (stdout by default, which is CloudWatch Logs). */
  readonly logDestination?: DestinationStream;
  readonly overrides?: Omit<RuntimeOverrides, 'kmsClient' | 'sqsClient' | 'generateBootstrapToken'>;
};

export async function openLambdaRoot(environment: NodeJS.ProcessEnv, options: LambdaRootOptions = {}): Promise<LambdaRoot> {
  const config = loadConfig(environment);
  const observability = options.observability ?? createObservability(config.logLevel);
  const logger = createLogger(config.logLevel, options.logDestination);
  // Traced, so every KMS call shows in X-Ray as a subsegment of the invocation.
  const kmsClient = config.kmsKeyArn === null ? undefined : observability.tracer.captureAWSv3Client(new KMSClient({}));
  const sqsClient = config.auditQueueUrl === null ? undefined : observability.tracer.captureAWSv3Client(new SQSClient({}));
  const runtime = await openRuntime(config, logger, {
    ...options.overrides,
    ...(kmsClient === undefined ? {} : { kmsClient }),
    ...(sqsClient === undefined ? {} : { sqsClient }),
    generateBootstrapToken: false,
    storeMetrics: emfStoreMetrics(observability.metrics),
  });
  const app = await buildHttpServer(runtime, { logger, bodyLimitBytes: config.bodyLimitBytes });
  observability.logger.debug('Lambda root opened', { store: config.store.kind, keyVault: config.kmsKeyArn === null ? 'local' : 'aws-kms' });
  return {
    config,
    runtime,
    app,
    observability,
    async close() {
      await app.close();
      await runtime.close();
    },
  };
}

let warm: Promise<LambdaRoot> | null = null;

/** The container's root, opened from the environment on the first invocation and kept for the next ones. */
export function warmLambdaRoot(): Promise<LambdaRoot> {
  warm ??= openLambdaRoot(process.env).catch((error: unknown) => {
    warm = null; // the next invocation tries again instead of failing forever
    throw error;
  });
  return warm;
}
