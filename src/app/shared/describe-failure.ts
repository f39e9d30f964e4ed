// A failure as a short reason safe to store or log: credentials in connection URLs masked,
// length bounded. Used wherever a job records why an item failed.

const failureReasonLengthMax = 200;

export function describeFailure(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.replace(/\/\/[^/@\s]*@/g, '//***@').slice(0, failureReasonLengthMax);
}
