// Powertools for AWS Lambda: JSON logs carrying the Lambda context, CloudWatch metrics as
// embedded metric format (EMF) on stdout, X-Ray traces. Card data and secrets are redacted
// from every Powertools log line, with the same names the pino logger redacts.
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { redactedPaths } from '../logger.ts';
import { metricsNamespace, serviceName } from './lambda-contract.ts';

export type Observability = { readonly logger: Logger; readonly metrics: Metrics; readonly tracer: Tracer };

export const redactedText = '[redacted]';
/** The last segment of every pino redaction path: a log attribute with one of these names is redacted wherever it appears. */
const redactedKeys = new Set(redactedPaths.map((path) => path.split('.').at(-1)));
/** A run of 13 to 19 digits, optionally grouped by spaces or dashes: the shape of a card number. */
const cardNumberShape = /\b\d(?:[ -]?\d){12,18}\b/g;

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Masks card numbers (digit runs that pass the Luhn check) inside free text. */
export function maskCardNumbers(text: string): string {
  return text.replace(cardNumberShape, (match) => (passesLuhn(match.replace(/[ -]/g, '')) ? redactedText : match));
}

/** The JSON replacer of every Powertools log line: secrets by name, card numbers by shape, bigints as text. */
export function redactForLog(key: string, value: unknown): unknown {
  if (redactedKeys.has(key)) return redactedText;
  if (typeof value === 'string') return maskCardNumbers(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

const powertoolsLevels: Record<string, LogLevel> = {
  fatal: 'CRITICAL', error: 'ERROR', warn: 'WARN', info: 'INFO', debug: 'DEBUG', trace: 'TRACE', silent: 'SILENT',
};

export function createObservability(logLevel: string): Observability {
  return {
    logger: new Logger({ serviceName, logLevel: powertoolsLevels[logLevel] ?? 'INFO', jsonReplacerFn: redactForLog }),
    metrics: new Metrics({ namespace: metricsNamespace, serviceName }),
    tracer: new Tracer({ serviceName }),
  };
}

/**
 * One invocation with the Lambda context on every log line, a cold-start metric and trace
 * annotation, and the invocation's metrics flushed as EMF whatever the outcome.
 */
export async function instrumented<T>(observability: Observability, context: Context | undefined, work: () => Promise<T>): Promise<T> {
  const { logger, metrics, tracer } = observability;
  if (context !== undefined) logger.addContext(context);
  metrics.captureColdStartMetric(context?.functionName);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    return await work();
  } catch (error) {
    logger.error('invocation failed', { error: error instanceof Error ? error : String(error) });
    throw error;
  } finally {
    metrics.publishStoredMetrics();
  }
}
