// One call to a card processor, made safe: a thrown error counts as no answer, the reply
// is normalized through the deployment's code table, and the raw reply is sealed so that
// it is kept without being readable by anyone but an auditor.
import type { SealedEnvelope } from '../../domain/crypto/envelope.ts';
import type { TenantId } from '../../domain/ids.ts';
import { normalizeReply } from '../../domain/processors/normalize.ts';
import type { ProcessorOutcome } from '../../domain/processors/outcome.ts';
import type { Dependencies } from '../dependencies.ts';
import type { CardProcessor, ProcessorReply } from '../ports/card-processor.ts';

export type Answer = { readonly outcome: ProcessorOutcome; readonly rawReply: SealedEnvelope | null };

export async function askProcessor(
  deps: Dependencies,
  processor: CardProcessor,
  subject: { tenantId: TenantId; transactionId: string },
  call: (processor: CardProcessor, signal: AbortSignal) => Promise<ProcessorReply>,
): Promise<Answer> {
  const controller = new AbortController();
  let reply: ProcessorReply;
  try {
    reply = await call(processor, controller.signal);
  } catch {
    reply = { kind: 'no_answer', reason: 'network' };
  } finally {
    controller.abort();
  }
  const outcome = normalizeReply(deps.normalization, processor.processorId, reply);
  const rawReply = reply.kind === 'reply'
    ? await deps.vault.seal(new TextEncoder().encode(JSON.stringify(reply.raw)), {
      tenant_id: subject.tenantId, transaction_id: subject.transactionId, purpose: 'processor_reply',
    })
    : null;
  return { outcome, rawReply };
}

/** The key a processor sees for every call about one payment, so a retry never charges twice. */
export function paymentIdempotencyKey(tenantId: TenantId, transactionId: string): string {
  return `contra:${tenantId}:payment:${transactionId}`;
}
