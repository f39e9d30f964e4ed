// The card at the edge of the payment use cases (P1): checked, then kept only as a
// SecureToken sealed under the key vault (number and expiry; the CVC is never stored,
// not even encrypted), with brand and last four digits in the clear.
import type { SealedEnvelope } from '../../domain/crypto/envelope.ts';
import { cardBrand, last4, parseCardDetails, type CardCode, type CardDetails } from '../../domain/cards/card.ts';
import type { TenantId } from '../../domain/ids.ts';
import { invariant } from '../../domain/invariant.ts';
import type { Result } from '../../domain/result.ts';
import type { Dependencies } from '../dependencies.ts';
import type { CardDetails as ProcessorCard } from '../ports/card-processor.ts';
import type { Payment } from './payment-record.ts';

export type CardInput = { readonly number: string; readonly expMonth: number; readonly expYear: number; readonly cvc?: string };

export function validateCard(input: CardInput, nowMs: number): Result<CardDetails, CardCode> {
  return parseCardDetails({ number: input.number, expMonth: input.expMonth, expYear: input.expYear, cvc: input.cvc }, nowMs);
}

function secureTokenContext(tenantId: TenantId, transactionId: string): Record<string, string> {
  return { tenant_id: tenantId, transaction_id: transactionId, purpose: 'secure_token' };
}

export async function sealCard(
  deps: Pick<Dependencies, 'vault'>,
  tenantId: TenantId,
  transactionId: string,
  card: CardDetails,
): Promise<{ card: Payment['card']; secureToken: SealedEnvelope }> {
  const plaintext = JSON.stringify({ number: card.number.revealDigits(), exp_month: card.expiry.month, exp_year: card.expiry.year });
  const secureToken = await deps.vault.seal(new TextEncoder().encode(plaintext), secureTokenContext(tenantId, transactionId));
  return {
    card: { brand: cardBrand(card.number), last4: last4(card.number), expMonth: card.expiry.month, expYear: card.expiry.year },
    secureToken,
  };
}

/** What the processor needs on the first authorization: the number, expiry and the CVC. */
export function processorCard(card: CardDetails): ProcessorCard {
  return { number: card.number.revealDigits(), expMonth: card.expiry.month, expYear: card.expiry.year, cvc: card.cvc.revealDigits() };
}

/** Opens a payment's SecureToken, for a re-sent authorization after a crash (no CVC then). */
export async function openCard(deps: Pick<Dependencies, 'vault'>, payment: Payment): Promise<ProcessorCard> {
  const plaintext = await deps.vault.open(payment.secureToken, secureTokenContext(payment.tenantId, payment.transactionId));
  const parsed = JSON.parse(new TextDecoder().decode(plaintext)) as { number?: unknown; exp_month?: unknown; exp_year?: unknown };
  invariant(typeof parsed.number === 'string' && typeof parsed.exp_month === 'number' && typeof parsed.exp_year === 'number', 'secure token is damaged');
  return { number: parsed.number, expMonth: parsed.exp_month, expYear: parsed.exp_year };
}
