// How the simulator behaves for each test card (docs/API.md, "Simulator test inputs"),
// and the transaction ids that carry that behaviour, so that a refund or status query
// (which carries no card) behaves the same in a freshly started process.
import { createHash } from 'node:crypto';

export const behaviourClasses = [
  'approve',
  'do-not-honor',
  'insufficient-funds',
  'processor-error',
  /** Authorization: the first reply is lost; the processor did approve. */
  'late-approval',
  /** Approved; a refund of it is declined. */
  'refund-declined',
  /** Approved; the first reply to a refund of it is lost; the refund was approved. */
  'refund-late',
] as const;
export type BehaviourClass = (typeof behaviourClasses)[number];

/** The documented test cards. Any other Luhn-valid number is approved. */
export const testCards: ReadonlyMap<string, BehaviourClass> = new Map<string, BehaviourClass>([
  ['4242424242424242', 'approve'],
  ['4000000000000002', 'do-not-honor'],
  ['4000000000009995', 'insufficient-funds'],
  ['4000000000000119', 'processor-error'],
  ['4000000000003220', 'late-approval'],
  ['4000000000005126', 'refund-declined'],
  ['4000000000007726', 'refund-late'],
  // For chargeback tests: behaves as an ordinary approved card.
  ['4000000000000259', 'approve'],
]);

const cardDigitsMin = 12;
const cardDigitsMax = 19;
const digestLength = 24;

export type Operation = 'sale' | 'return';

export function behaviourOf(cardNumber: string): BehaviourClass {
  return testCards.get(cardNumber) ?? 'approve';
}

/** The Luhn (mod 10) check every card number passes. */
export function isLuhnValid(cardNumber: string): boolean {
  if (!/^\d+$/.test(cardNumber) || cardNumber.length < cardDigitsMin || cardNumber.length > cardDigitsMax) return false;
  let sum = 0;
  for (let index = 0; index < cardNumber.length; index++) {
    const digit = Number(cardNumber[cardNumber.length - 1 - index]);
    const doubled = index % 2 === 1 ? digit * 2 : digit;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return sum % 10 === 0;
}

/**
 * `sim.<class>.<operation>.<digest>`: the digest comes from the operation and our
 * idempotency key only, so the same key always gets the same id, in any process.
 */
export function transactionIdFor(behaviour: BehaviourClass, operation: Operation, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`${operation}\n${idempotencyKey}`).digest('hex').slice(0, digestLength);
  return `sim.${behaviour}.${operation}.${digest}`;
}

export type ParsedTransactionId = { readonly behaviour: BehaviourClass; readonly operation: Operation };

/** Null for anything the simulator did not hand out. */
export function parseTransactionId(transactionId: string): ParsedTransactionId | null {
  const parts = transactionId.split('.');
  if (parts.length !== 4 || parts[0] !== 'sim') return null;
  const behaviour = behaviourClasses.find((candidate) => candidate === parts[1]);
  const operation = parts[2] === 'sale' || parts[2] === 'return' ? parts[2] : undefined;
  const digest = parts[3] ?? '';
  if (behaviour === undefined || operation === undefined || !new RegExp(`^[0-9a-f]{${digestLength}}$`).test(digest)) return null;
  return { behaviour, operation };
}
