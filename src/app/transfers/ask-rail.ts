// One call to the inter-bank switch, made safe like a card processor call: a thrown error
// counts as no answer, the reply is normalized through the NIP code table, and the raw
// reply is sealed. Every call carries the key derived from our transfer reference.
import { normalizeReply } from '../../domain/processors/normalize.ts';
import type { ProcessorReply } from '../ports/card-processor.ts';
import type { Dependencies } from '../dependencies.ts';
import type { Answer } from '../payments/ask-processor.ts';
import type { InterbankRail } from '../ports/interbank.ts';
import type { MoneyTransfer } from './transfer-record.ts';

/** The key the switch sees for every call about one transfer, so a resend never pays twice. */
export function transferIdempotencyKey(transfer: Pick<MoneyTransfer, 'tenantId' | 'reference'>): string {
  return `contra:${transfer.tenantId}:transfer:${transfer.reference}`;
}

async function askRail(deps: Dependencies, transfer: MoneyTransfer, call: (rail: InterbankRail, signal: AbortSignal) => Promise<ProcessorReply>): Promise<Answer> {
  const controller = new AbortController();
  let reply: ProcessorReply;
  try {
    reply = await call(deps.interbank, controller.signal);
  } catch {
    reply = { kind: 'no_answer', reason: 'network' };
  } finally {
    controller.abort();
  }
  const outcome = normalizeReply(deps.normalization, deps.interbank.railId, reply);
  const rawReply = reply.kind === 'reply'
    ? await deps.vault.seal(new TextEncoder().encode(JSON.stringify(reply.raw)), { tenant_id: transfer.tenantId, transaction_id: transfer.reference, purpose: 'processor_reply' })
    : null;
  return { outcome, rawReply };
}

export function sendTransfer(deps: Dependencies, transfer: MoneyTransfer): Promise<Answer> {
  const receiver = transfer.receiver;
  if (receiver.kind !== 'bank') throw new Error(`transfer ${transfer.reference} is internal: nothing to send`);
  return askRail(deps, transfer, (rail, signal) => rail.transfer({
    idempotencyKey: transferIdempotencyKey(transfer), bankCode: receiver.bankCode, accountNumber: receiver.accountNumber,
    accountName: receiver.accountName, amountMinor: transfer.amountMinor, currency: transfer.currency, narration: `Transfer ${transfer.reference}`,
  }, signal));
}

/** The status query (TSQ) of a transfer. */
export function queryTransfer(deps: Dependencies, transfer: MoneyTransfer): Promise<Answer> {
  const receiver = transfer.receiver;
  if (receiver.kind !== 'bank') throw new Error(`transfer ${transfer.reference} is internal: nothing to query`);
  const sessionId = transfer.rail.reference;
  return askRail(deps, transfer, (rail, signal) => rail.query({
    idempotencyKey: transferIdempotencyKey(transfer), bankCode: receiver.bankCode, accountNumber: receiver.accountNumber,
    ...(sessionId === undefined ? {} : { sessionId }),
  }, signal));
}
