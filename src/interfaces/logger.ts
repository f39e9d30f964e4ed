// Structured JSON logs (pino) with secrets and card data redacted (T4). Request bodies
// are never logged; the redaction list is the second wall for anything that slips in.
import { pino, type DestinationStream, type Logger } from 'pino';

export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'card',
  '*.card',
  '*.*.card',
  'number',
  '*.number',
  'cvc',
  '*.cvc',
  'api_key',
  '*.api_key',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'adminToken',
  '*.adminToken',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'contra' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
