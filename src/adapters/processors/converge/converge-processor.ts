// The Elavon Converge card processor (P3): the XML API over HTTPS. Each call posts one
// `xmldata=<txn>…</txn>` form to the configured endpoint and returns the reply's fields
// as the raw reply; normalization (converge-codes.ts) decides what they mean.
//
// - Sale `ccsale`, refund `ccreturn` of the sale's `ssl_txn_id`, status `txnquery` by
//   `ssl_txn_id`. Credentials (`ssl_merchant_id`, `ssl_user_id`, `ssl_pin`) come from
//   configuration and appear in nothing but the request body.
// - Every sale and return carries `ssl_invoice_number`, derived from our idempotency key
//   (merchantReferenceFor), so a person can find in Converge a transaction whose reply
//   never reached us.
// - Converge's txnquery searches by its own transaction id (or by card and date range),
//   not by our reference. A status query without a processor reference is therefore not
//   sent: it answers no_answer, the payment stays pending and is escalated after the
//   requery limit. Re-sending the sale instead (what the simulator's NOT_FOUND leads to)
//   could charge the card twice.
// - A reply that is not a Converge document (an HTML error page, an empty body) is kept
//   as `{ http_status, body_excerpt }`, which no reader accepts: an unknown outcome.
//   A call that does not finish by the caller's signal is no_answer/timeout.
// - An approval or a settled status whose `ssl_amount` is not the amount we asked for (a
//   partial approval, or a txnquery of one) is annotated `contra_amount_mismatch` and reads
//   as pending `amount_mismatch`: asked again, escalated to a person, never settled as
//   ours. The reply Converge sent is kept whole beside the annotation.
// - PAN and CVV go into the request body only; nothing here logs.
import { createHash } from 'node:crypto';
import type { JsonObject } from '../../../app/ports/store.ts';
import type {
  AuthorizeRequest, CardProcessor, CardRefundRequest, ProcessorReply, QueryRequest,
} from '../../../app/ports/card-processor.ts';
import type { CurrencyCode } from '../../../domain/money/currencies.ts';
import { formatAmount, parseAmount } from '../../../domain/money/money.ts';
import { convergeProcessorId } from '../../../domain/processors/converge-codes.ts';
import { amountMismatchField } from '../../../domain/processors/simulator-codes.ts';
import { readReply, writeTxn, type XmlField } from './converge-xml.ts';

export type ConvergeSettings = {
  /** The processxml.do endpoint, e.g. https://api.demo.convergepay.com/VirtualMerchant/processxml.do */
  readonly url: string;
  readonly merchantId: string;
  readonly userId: string;
  readonly pin: string;
};

/** Replies longer than this are not read to the end: no Converge reply comes close. */
export const replyBytesMax = 256 * 1024;
const excerptLengthMax = 200;

/** `ssl_invoice_number` for an idempotency key: 25 hex digits of its SHA-256 (Converge allows 25). */
export function merchantReferenceFor(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 25);
}

export class ConvergeProcessor implements CardProcessor {
  readonly processorId = convergeProcessorId;
  /** Converge takes no idempotency key: a repeated ccsale or ccreturn would be a second one. */
  readonly deduplicatesRequests = false;

  constructor(private readonly settings: ConvergeSettings, private readonly fetchFunction: typeof fetch = fetch) {}

  authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<ProcessorReply> {
    const { card } = request;
    const expiry = `${String(card.expMonth).padStart(2, '0')}${String(card.expYear % 100).padStart(2, '0')}`;
    return this.send([
      ['ssl_transaction_type', 'ccsale'],
      ['ssl_card_number', card.number],
      ['ssl_exp_date', expiry],
      ...(card.cvc === undefined ? [] : [['ssl_cvv2cvc2_indicator', '1'], ['ssl_cvv2cvc2', card.cvc]] as const),
      ['ssl_amount', formatAmount(request.amountMinor, request.currency)],
      ['ssl_transaction_currency', request.currency],
      ['ssl_invoice_number', merchantReferenceFor(request.idempotencyKey)],
    ], signal, request);
  }

  refund(request: CardRefundRequest, signal: AbortSignal): Promise<ProcessorReply> {
    return this.send([
      ['ssl_transaction_type', 'ccreturn'],
      ['ssl_txn_id', request.processorReference],
      ['ssl_amount', formatAmount(request.amountMinor, request.currency)],
      ['ssl_transaction_currency', request.currency],
      ['ssl_invoice_number', merchantReferenceFor(request.idempotencyKey)],
    ], signal, request);
  }

  query(request: QueryRequest, signal: AbortSignal): Promise<ProcessorReply> {
    if (request.processorReference === undefined) return Promise.resolve({ kind: 'no_answer', reason: 'network' });
    return this.send([['ssl_transaction_type', 'txnquery'], ['ssl_txn_id', request.processorReference]], signal, request);
  }

  private async send(fields: readonly XmlField[], signal: AbortSignal, asked: Asked): Promise<ProcessorReply> {
    if (signal.aborted) return { kind: 'no_answer', reason: 'timeout' };
    const credentials: XmlField[] = [
      ['ssl_merchant_id', this.settings.merchantId], ['ssl_user_id', this.settings.userId], ['ssl_pin', this.settings.pin],
    ];
    const form = new URLSearchParams({ xmldata: writeTxn([...credentials, ...fields]) });
    let status: number;
    let body: string;
    try {
      const response = await this.fetchFunction(this.settings.url, {
        method: 'POST', body: form, signal, redirect: 'error',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/xml, text/xml' },
      });
      status = response.status;
      body = await readCapped(response);
    } catch {
      // Aborted by the deadline, or the connection failed: whether Converge acted is unknown.
      return { kind: 'no_answer', reason: wasAborted(signal) ? 'timeout' : 'network' };
    }
    const read = readReply(body);
    return { kind: 'reply', raw: read === null ? unreadable(status, body) : withAmountChecked(read, asked) };
  }
}

type Asked = { readonly amountMinor: bigint; readonly currency: CurrencyCode };

/**
 * Converge writes amounts with two decimals whatever the currency ("1200.00" yen): zeros
 * past the currency's decimals are dropped before reading; anything else unreadable is
 * not our amount.
 */
function amountOf(text: string, currency: CurrencyCode): bigint | null {
  const trimmed = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  const parsed = parseAmount(trimmed, currency, { allowZero: true });
  return parsed.ok ? parsed.value : null;
}

/** An approving reply (ssl_result 0, but a partial approval, which says so itself) for another amount is annotated. */
function withAmountChecked(raw: JsonObject, asked: Asked): JsonObject {
  const reported = raw['ssl_amount'];
  if (raw['ssl_result'] !== '0' || raw['ssl_result_message'] === 'PARTIAL APPROVAL' || typeof reported !== 'string') return raw;
  if (amountOf(reported, asked.currency) === asked.amountMinor) return raw;
  return { ...raw, [amountMismatchField]: { requested: formatAmount(asked.amountMinor, asked.currency), processor: reported } };
}

/** Read afresh: the signal may have been aborted while the request was in flight. */
function wasAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

async function readCapped(response: Response): Promise<string> {
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > replyBytesMax || response.body === null) {
    await response.body?.cancel();
    return '';
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > replyBytesMax) break;
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The raw reply kept for a body that is not a Converge document; long digit runs are masked in case one is a card number. */
function unreadable(status: number, body: string): JsonObject {
  return { http_status: status, body_excerpt: body.slice(0, excerptLengthMax).replace(/\d{12,19}/g, '[digits]') };
}
