// A payment settled to the merchant in another currency (R7): the settlement currency,
// the rate recorded when the payment was made, the converted amount, and how much of it
// has moved back out of the merchant's account since (refunds settled or held, lost
// chargebacks) — the running total that cumulative conversion needs.
import { invariant } from '../../domain/invariant.ts';
import { isCurrencyCode, type CurrencyCode } from '../../domain/money/currencies.ts';
import { convertMinor, convertPart, parseFxRate, type FxRate } from '../../domain/money/fx.ts';
import type { PaymentCharge } from '../../domain/payments/payment-journal.ts';
import type { JsonObject, JsonValue } from '../ports/store.ts';
import { field, isObject, isString, minorField } from '../shared/json-fields.ts';

export type FxSettlement = {
  readonly currency: CurrencyCode;
  readonly rate: FxRate;
  /** The payment amount converted at the rate. */
  readonly amountMinor: bigint;
  /** Settlement-currency amount moved back out by refunds (settled or held) and lost chargebacks. */
  readonly movedMinor: bigint;
};

export function fxSettlementToJson(settlement: FxSettlement | undefined): JsonValue {
  if (settlement === undefined) return null;
  return {
    currency: settlement.currency,
    rate: settlement.rate.text,
    amount_minor: settlement.amountMinor.toString(),
    moved_minor: settlement.movedMinor.toString(),
  };
}

export function fxSettlementFromJson(value: JsonValue | undefined): FxSettlement | undefined {
  if (value === undefined || value === null) return undefined;
  invariant(isObject(value), 'payment settlement is damaged');
  const currency = field(value, 'currency', isString);
  invariant(isCurrencyCode(currency), 'payment settlement currency is damaged');
  const rate = parseFxRate(field(value, 'rate', isString));
  invariant(rate.ok, 'payment settlement rate is damaged');
  return { currency, rate: rate.value, amountMinor: minorField(value, 'amount_minor'), movedMinor: minorField(value, 'moved_minor') };
}

export function newFxSettlement(amountMinor: bigint, from: CurrencyCode, to: CurrencyCode, rate: FxRate): FxSettlement {
  return { currency: to, rate, amountMinor: convertMinor(amountMinor, from, to, rate), movedMinor: 0n };
}

/**
 * The payment's fees and taxes in the settlement currency, converted cumulatively like any
 * amount that moves in parts: each line is convert(the lines so far) − what earlier lines
 * took. Converted one by one, three charges of 0.01 USD at 1.5 would take 0.06 EUR from a
 * payment that brought 0.04; cumulatively they add up to exactly the converted total of the
 * charges, which never exceeds the converted amount (the charges never exceed the amount,
 * and conversion keeps order). Refunds take their fee and tax shares from these same lines.
 */
export function settlementCharges(charges: readonly PaymentCharge[], from: CurrencyCode, settlement: FxSettlement): PaymentCharge[] {
  let chargedMinor = 0n;
  let convertedMinor = 0n;
  const converted = charges.map((charge) => {
    const amountMinor = convertPart({
      partMinor: charge.amountMinor, movedBeforeMinor: chargedMinor, settledBeforeMinor: convertedMinor, from, to: settlement.currency, rate: settlement.rate,
    });
    chargedMinor += charge.amountMinor;
    convertedMinor += amountMinor;
    return { type: charge.type, amountMinor };
  });
  invariant(convertedMinor <= settlement.amountMinor, 'converted fees and taxes exceed the converted amount');
  return converted;
}

/** The settlement-currency part of `partMinor` moving out, after `movedBeforeMinor` of the payment currency. */
export function settlementPart(settlement: FxSettlement, from: CurrencyCode, partMinor: bigint, movedBeforeMinor: bigint): bigint {
  return convertPart({ partMinor, movedBeforeMinor, settledBeforeMinor: settlement.movedMinor, from, to: settlement.currency, rate: settlement.rate });
}

export function fxView(settlement: FxSettlement, format: (amountMinor: bigint, currency: CurrencyCode) => string): JsonObject {
  return { currency: settlement.currency, rate: settlement.rate.text, amount: format(settlement.amountMinor, settlement.currency) };
}
