// Card data at the edge (P1): the number is checked (digits, length, Luhn) and then held in
// a value that shows only brand and last four digits, however it is logged or serialized.
import { ok, refuse, type Result } from '../result.ts';

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'verve' | 'unknown';

export const cardNumberDigitsMin = 12;
export const cardNumberDigitsMax = 19;
/** Input longer than this is refused before any work: spaces and dashes never need more. */
export const cardNumberInputLengthMax = 32;
export const cardCvcDigitsMin = 3;
export const cardCvcDigitsMax = 4;
/** Issuers print expiry dates at most this far ahead; a later year is a typing error. */
export const cardExpiryYearsAheadMax = 20;
/** The earliest expiry year taken at all: before it, the field was misread (a two-digit year). */
export const cardExpiryYearMin = 2000;

export type CardCode = 'invalid_card' | 'card_expired';

/** What is shown in place of the hidden digits. */
const maskPrefix = '•••• ';
const cvcMask = '•••';
const cvcPattern = new RegExp(`^[0-9]{${cardCvcDigitsMin},${cardCvcDigitsMax}}$`);

/**
 * A checked card number. `toString`, `toJSON` and Node's inspection all show the mask, so
 * a number that reaches a log line or a stored document by mistake is not disclosed. The
 * digits come out only through `revealDigits()`, for sealing and for the processor.
 */
export class CardNumber {
  readonly #digits: string;

  private constructor(digits: string) {
    this.#digits = digits;
  }

  /** The only way to make a card number, so that every one of them has passed the checks. */
  static parse(value: unknown): Result<CardNumber, 'invalid_card'> {
    const digits = checkCardDigits(value);
    return digits.ok ? ok(new CardNumber(digits.value)) : digits;
  }

  get brand(): CardBrand {
    return brandOfDigits(this.#digits);
  }

  get last4(): string {
    return this.#digits.slice(-4);
  }

  /** The full number, for sealing it as a SecureToken or sending it to the processor; never for display. */
  revealDigits(): string {
    return this.#digits;
  }

  toString(): string {
    return `${maskPrefix}${this.last4}`;
  }

  toJSON(): { brand: CardBrand; last4: string } {
    return { brand: this.brand, last4: this.last4 };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CardNumber(${this.brand} ${maskPrefix}${this.last4})`;
  }
}

/** A checked card security code, masked in every way it could be shown; it is never stored. */
export class CardSecurityCode {
  readonly #digits: string;

  private constructor(digits: string) {
    this.#digits = digits;
  }

  static parse(value: unknown): Result<CardSecurityCode, 'invalid_card'> {
    if (typeof value !== 'string' || !cvcPattern.test(value)) {
      return refuse('invalid_card', 'card.cvc', `the card security code must be ${cardCvcDigitsMin} or ${cardCvcDigitsMax} digits`);
    }
    return ok(new CardSecurityCode(value));
  }

  /** The code, for the processor's authorization request only. */
  revealDigits(): string {
    return this.#digits;
  }

  toString(): string {
    return cvcMask;
  }

  toJSON(): string {
    return cvcMask;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CardSecurityCode(${cvcMask})`;
  }
}

/** The Luhn (mod 10) check digit test over a string of digits. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

const invalidNumber = (detail: string) => refuse('invalid_card', 'card.number', detail);

function checkCardDigits(value: unknown): Result<string, 'invalid_card'> {
  // Details name the rule that failed, never the input: it may be a real card number.
  if (typeof value !== 'string') return invalidNumber('the card number must be a string of digits');
  if (value.length > cardNumberInputLengthMax) return invalidNumber(`the card number is longer than ${cardNumberInputLengthMax} characters`);
  const digits = value.replace(/[ -]/g, '');
  if (!/^[0-9]+$/.test(digits)) return invalidNumber('the card number must hold digits only, with optional spaces or dashes');
  if (digits.length < cardNumberDigitsMin || digits.length > cardNumberDigitsMax) {
    return invalidNumber(`the card number must have ${cardNumberDigitsMin} to ${cardNumberDigitsMax} digits`);
  }
  if (!passesLuhn(digits)) return invalidNumber('the card number fails its check digit');
  return ok(digits);
}

/** Digits only once spaces and dashes are removed, 12 to 19 of them, with a valid check digit. */
export function parseCardNumber(value: unknown): Result<CardNumber, 'invalid_card'> {
  return CardNumber.parse(value);
}

/** Leading digits of each brand as [low, high] ranges over a prefix of the given length. */
const brandRanges: readonly { brand: Exclude<CardBrand, 'unknown'>; prefixLength: number; low: number; high: number }[] = [
  // Verve first: its ranges sit inside numbers that would otherwise look like Discover or Maestro.
  { brand: 'verve', prefixLength: 6, low: 506099, high: 506198 },
  { brand: 'verve', prefixLength: 6, low: 650002, high: 650027 },
  { brand: 'amex', prefixLength: 2, low: 34, high: 34 },
  { brand: 'amex', prefixLength: 2, low: 37, high: 37 },
  { brand: 'visa', prefixLength: 1, low: 4, high: 4 },
  { brand: 'mastercard', prefixLength: 2, low: 51, high: 55 },
  { brand: 'mastercard', prefixLength: 4, low: 2221, high: 2720 },
  { brand: 'discover', prefixLength: 4, low: 6011, high: 6011 },
  { brand: 'discover', prefixLength: 3, low: 644, high: 649 },
  { brand: 'discover', prefixLength: 2, low: 65, high: 65 },
  { brand: 'discover', prefixLength: 6, low: 622126, high: 622925 },
];

function brandOfDigits(digits: string): CardBrand {
  for (const range of brandRanges) {
    if (digits.length < range.prefixLength) continue;
    const prefix = Number(digits.slice(0, range.prefixLength));
    if (prefix >= range.low && prefix <= range.high) return range.brand;
  }
  return 'unknown';
}

export function cardBrand(number: CardNumber): CardBrand {
  return number.brand;
}

export function last4(number: CardNumber): string {
  return number.last4;
}

export type CardExpiry = { readonly month: number; readonly year: number };

/**
 * A card is valid through the last day of its expiry month. The month is judged in UTC:
 * the domain has no time zone, and the issuer has the final word at authorization.
 */
export function parseExpiry(month: unknown, year: unknown, nowMs: number): Result<CardExpiry, CardCode> {
  if (typeof month !== 'number' || !Number.isInteger(month) || month < 1 || month > 12) {
    return refuse('invalid_card', 'card.exp_month', 'the expiry month must be a whole number from 1 to 12');
  }
  const now = new Date(nowMs);
  const yearMax = now.getUTCFullYear() + cardExpiryYearsAheadMax;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < cardExpiryYearMin || year > yearMax) {
    return refuse('invalid_card', 'card.exp_year', `the expiry year must be a four-digit year no later than ${yearMax}`);
  }
  const firstInvalidMs = Date.UTC(year, month, 1);
  if (nowMs >= firstInvalidMs) return refuse('card_expired', 'card.exp_year', 'the card has expired');
  return ok({ month, year });
}

/** Three or four digits, as a string: a number would lose a leading zero. */
export function parseCvc(value: unknown): Result<CardSecurityCode, 'invalid_card'> {
  return CardSecurityCode.parse(value);
}

export type CardDetailsInput = { readonly number: unknown; readonly expMonth: unknown; readonly expYear: unknown; readonly cvc: unknown };

export type CardDetails = { readonly number: CardNumber; readonly expiry: CardExpiry; readonly cvc: CardSecurityCode };

/** The whole card, checked in field order: number, expiry month, expiry year, expiry, security code. */
export function parseCardDetails(input: CardDetailsInput, nowMs: number): Result<CardDetails, CardCode> {
  const number = parseCardNumber(input.number);
  if (!number.ok) return number;
  const expiry = parseExpiry(input.expMonth, input.expYear, nowMs);
  if (!expiry.ok) return expiry;
  const cvc = parseCvc(input.cvc);
  if (!cvc.ok) return cvc;
  return ok({ number: number.value, expiry: expiry.value, cvc: cvc.value });
}
