// The simulator card processor (P3): deterministic replies by card number, shaped like
// Elavon Converge, for the demo and the tests (docs/API.md, "Simulator test inputs").
//
// How it stays right across a crash and restart, keeping no store of its own:
// - The behaviour of a card travels in the transaction id it hands out
//   (`sim.<class>.<sale|return>.<digest of our idempotency key>`). A refund or a status
//   query carries only that id, so a freshly started process answers it the same way.
// - The same idempotency key always yields the same id and the same decision, so an
//   authorization re-sent after a crash returns the first result and charges nothing twice.
// - A status query without a processor reference (no reply was ever stored, because the
//   crash or the timeout came first) answers the error envelope NOT_FOUND, normalized to
//   `error`/`not_found`/retryable: the caller then re-sends the authorization or refund
//   under the same idempotency key, which is safe for the reason above. The idempotency
//   key itself carries no behaviour, so it is never parsed.
// - "Late" cards (authorization of 4000000000003220, refund of a 4000000000007726 sale)
//   lose the reply to the first call for an idempotency key; the processor did approve,
//   so every later call with that key returns the approval. Only this is remembered in
//   memory (bounded): after a restart the first re-sent call is lost once more, which
//   costs one more requery and never a second charge.
// Optional seeded faults (lost replies, garbage, duplicate notices) sit on top; without
// them the behaviour is exactly the table.
import type { JsonObject } from '../../../app/ports/store.ts';
import type {
  AuthorizeRequest, CardProcessor, CardRefundRequest, ProcessorReply, QueryRequest,
} from '../../../app/ports/card-processor.ts';
import { invariant } from '../../../domain/invariant.ts';
import {
  simulatorErrorCodes, simulatorProcessorId, simulatorResultMessages,
  type SimulatorErrorReply, type SimulatorResultReply,
} from '../../../domain/processors/simulator-codes.ts';
import {
  behaviourOf, isLuhnValid, parseTransactionId, transactionIdFor, type BehaviourClass,
} from './card-behaviours.ts';
import { duplicateNotice, FaultInjector, type Fault, type SimulatorFaults } from './fault-injector.ts';

export type { SimulatorFaults } from './fault-injector.ts';

export type SimulatorOptions = {
  /** How long each call takes; an aborted call ends at once with no answer. */
  readonly latencyMs?: number;
  readonly faults?: SimulatorFaults;
};

export const simulatorLatencyMsMax = 600_000;
/** Lost first replies remembered; forgetting one only costs one more lost reply. */
export const lostReplyMemoryMax = 10_000;

type Decision = { readonly kind: 'reply'; readonly raw: JsonObject } | { readonly kind: 'lost' };

const noAnswer: ProcessorReply = { kind: 'no_answer', reason: 'timeout' };

export class SimulatorProcessor implements CardProcessor {
  readonly processorId = simulatorProcessorId;
  /** The simulator keeps every request by its idempotency key and answers a repeat with the first answer. */
  readonly deduplicatesRequests = true;
  private readonly latencyMs: number;
  private readonly faults: FaultInjector | null;
  private readonly lostReplies = new Set<string>();

  constructor(options: SimulatorOptions = {}) {
    const latencyMs = options.latencyMs ?? 0;
    invariant(Number.isInteger(latencyMs) && latencyMs >= 0 && latencyMs <= simulatorLatencyMsMax, `simulator latencyMs must be 0..${simulatorLatencyMsMax}, got ${latencyMs}`);
    this.latencyMs = latencyMs;
    this.faults = options.faults === undefined ? null : new FaultInjector(options.faults);
  }

  authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<ProcessorReply> {
    return this.answer(signal, () => this.decideAuthorization(request));
  }

  query(request: QueryRequest, signal: AbortSignal): Promise<ProcessorReply> {
    return this.answer(signal, () => decideQuery(request));
  }

  refund(request: CardRefundRequest, signal: AbortSignal): Promise<ProcessorReply> {
    return this.answer(signal, () => this.decideRefund(request));
  }

  private async answer(signal: AbortSignal, decide: () => Decision): Promise<ProcessorReply> {
    // A call aborted before it starts never reaches the processor.
    if (signal.aborted) return noAnswer;
    const decision = decide();
    const fault: Fault = this.faults === null ? { kind: 'none' } : this.faults.next();
    if ((await waitUnlessAborted(this.latencyMs, signal)) === 'aborted') return noAnswer;
    return deliver(decision, fault);
  }

  private decideAuthorization(request: AuthorizeRequest): Decision {
    const cardNumber = request.card.number;
    if (!isLuhnValid(cardNumber)) return reply(errorReply(simulatorErrorCodes.invalidCard, 'Credit card number invalid.'));
    const behaviour = behaviourOf(cardNumber);
    const reference = transactionIdFor(behaviour, 'sale', request.idempotencyKey);
    switch (behaviour) {
      case 'processor-error':
        return reply(errorReply(simulatorErrorCodes.unavailable, 'The processor could not handle the request; try again.'));
      case 'do-not-honor':
        return reply(resultReply('1', simulatorResultMessages.doNotHonor, reference));
      case 'insufficient-funds':
        return reply(resultReply('1', simulatorResultMessages.insufficientFunds, reference));
      case 'late-approval':
        return this.loseFirstReply(`sale\n${request.idempotencyKey}`, resultReply('0', simulatorResultMessages.approval, reference));
      case 'approve':
      case 'refund-declined':
      case 'refund-late':
        return reply(resultReply('0', simulatorResultMessages.approval, reference));
    }
  }

  private decideRefund(request: CardRefundRequest): Decision {
    const original = parseTransactionId(request.processorReference);
    if (original === null || original.operation !== 'sale' || !isApprovedSale(original.behaviour)) {
      return reply(errorReply(simulatorErrorCodes.invalidReference, 'No approved sale with that transaction id.'));
    }
    const reference = transactionIdFor(original.behaviour, 'return', request.idempotencyKey);
    const approval = resultReply('0', simulatorResultMessages.approval, reference);
    switch (original.behaviour) {
      case 'refund-declined':
        return reply(resultReply('1', simulatorResultMessages.declined, reference));
      case 'refund-late':
        return this.loseFirstReply(`return\n${request.idempotencyKey}`, approval);
      case 'approve':
      case 'late-approval':
        return reply(approval);
    }
  }

  private loseFirstReply(memoryKey: string, raw: JsonObject): Decision {
    if (this.lostReplies.has(memoryKey)) return reply(raw);
    if (this.lostReplies.size >= lostReplyMemoryMax) {
      const oldest = this.lostReplies.values().next();
      if (oldest.done !== true) this.lostReplies.delete(oldest.value);
    }
    this.lostReplies.add(memoryKey);
    return { kind: 'lost' };
  }
}

/** What reaches the caller: the processor's decision, unless a fault got in the way. */
function deliver(decision: Decision, fault: Fault): ProcessorReply {
  if (decision.kind === 'lost') return noAnswer;
  switch (fault.kind) {
    case 'none':
      return { kind: 'reply', raw: decision.raw };
    case 'timeout':
      return noAnswer;
    case 'garbage':
      return { kind: 'reply', raw: fault.raw };
    case 'duplicate':
      return { kind: 'reply', raw: duplicateNotice(decision.raw) };
  }
}

function decideQuery(request: QueryRequest): Decision {
  const notFound = reply(errorReply(simulatorErrorCodes.notFound, 'No transaction found.'));
  if (request.processorReference === undefined) return notFound;
  const reference = request.processorReference;
  const parsed = parseTransactionId(reference);
  if (parsed === null) return notFound;
  if (parsed.operation === 'return') {
    if (!isApprovedSale(parsed.behaviour)) return notFound;
    return reply(parsed.behaviour === 'refund-declined'
      ? resultReply('1', simulatorResultMessages.declined, reference, 'RETURN')
      : settledReply(reference, 'RETURN'));
  }
  switch (parsed.behaviour) {
    case 'processor-error':
      return notFound;
    case 'do-not-honor':
      return reply(resultReply('1', simulatorResultMessages.doNotHonor, reference, 'SALE'));
    case 'insufficient-funds':
      return reply(resultReply('1', simulatorResultMessages.insufficientFunds, reference, 'SALE'));
    case 'approve':
    case 'late-approval':
    case 'refund-declined':
    case 'refund-late':
      return reply(settledReply(reference, 'SALE'));
  }
}

type ApprovedSaleBehaviour = Exclude<BehaviourClass, 'do-not-honor' | 'insufficient-funds' | 'processor-error'>;

function isApprovedSale(behaviour: BehaviourClass): behaviour is ApprovedSaleBehaviour {
  return behaviour !== 'do-not-honor' && behaviour !== 'insufficient-funds' && behaviour !== 'processor-error';
}

function reply(raw: JsonObject): Decision {
  return { kind: 'reply', raw };
}

// The simulator settles at once, so a status query of an approved transaction says STL.
function settledReply(reference: string, transactionType: 'SALE' | 'RETURN'): SimulatorResultReply {
  return { ...resultReply('0', simulatorResultMessages.approval, reference, transactionType), ssl_trans_status: 'STL' };
}

function resultReply(
  result: '0' | '1',
  message: string,
  reference: string,
  transactionType?: 'SALE' | 'RETURN',
): SimulatorResultReply {
  return {
    ssl_result: result,
    ssl_result_message: message,
    ssl_txn_id: reference,
    ...(transactionType === undefined ? {} : { ssl_transaction_type: transactionType }),
  };
}

function errorReply(errorCode: string, errorMessage: string): SimulatorErrorReply {
  return { errorCode, errorMessage };
}

/** Waits, or stops early when the signal aborts; leaves no timer or listener behind. */
function waitUnlessAborted(delayMs: number, signal: AbortSignal): Promise<'elapsed' | 'aborted'> {
  if (signal.aborted) return Promise.resolve('aborted');
  if (delayMs === 0) return Promise.resolve('elapsed');
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve('aborted');
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve('elapsed');
    }, delayMs);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
