// A deterministic NIP-shaped inter-bank switch for the demo and the tests (API.md,
// "Simulator test inputs"). Bank code "999" is the simulated bank: the last two digits of
// the 10-digit account number are the response code of the transfer call; for an
// uncertain first answer (01, 09, 97) the status query (TSQ) answers success (00) when the
// third-last digit is even and a failure (05) when it is odd. Any other bank code is
// unknown to the switch (16).
//
// The session id is derived from our idempotency key, so a transfer sent again under the
// same key gets the same session and the same answer. The switch remembers (bounded, in
// memory) which keys it has received: a TSQ for a key it never received answers 25
// (no record), and the caller then sends the transfer again under the same key.
import { createHash } from 'node:crypto';
import type { JsonObject } from '../../../app/ports/store.ts';
import type { ProcessorReply } from '../../../app/ports/card-processor.ts';
import type { InterbankQueryRequest, InterbankRail, InterbankTransferRequest } from '../../../app/ports/interbank.ts';
import { nipCodes, nipRailId } from '../../../domain/interbank/nip-codes.ts';
import { invariant } from '../../../domain/invariant.ts';

export const simulatedBankCode = '999';
/** Keys remembered; forgetting one only costs one more resend under the same key. */
export const receivedKeysMax = 100_000;
export const nipSimulatorLatencyMsMax = 600_000;

const uncertainCodes: readonly string[] = [nipCodes.statusUnknown, nipCodes.inProgress, nipCodes.timeout];

export function sessionIdFor(idempotencyKey: string): string {
  const digest = createHash('sha256').update(idempotencyKey).digest();
  // NIP session ids are 30 digits; ours are derived from the key so resends match.
  return Array.from(digest.subarray(0, 30), (byte) => String(byte % 10)).join('');
}

/** The first answer to a transfer to this account (API.md table). */
export function transferCodeFor(bankCode: string, accountNumber: string): string {
  if (bankCode !== simulatedBankCode) return nipCodes.unknownBankCode;
  if (!/^[0-9]{10}$/.test(accountNumber)) return nipCodes.invalidAccount;
  return accountNumber.slice(-2);
}

/** What a status query finds for a transfer the switch has received. */
export function statusCodeFor(bankCode: string, accountNumber: string): string {
  const first = transferCodeFor(bankCode, accountNumber);
  if (!uncertainCodes.includes(first)) return first;
  const thirdLast = Number(accountNumber.charAt(accountNumber.length - 3));
  return thirdLast % 2 === 0 ? nipCodes.success : nipCodes.doNotHonor;
}

export class NipSimulator implements InterbankRail {
  readonly railId = nipRailId;
  private readonly received = new Set<string>();
  private readonly latencyMs: number;
  /** Every call, oldest first, so tests can count what reached the switch. */
  readonly calls: { readonly kind: 'transfer' | 'query'; readonly idempotencyKey: string }[] = [];

  constructor(options: { latencyMs?: number } = {}) {
    const latencyMs = options.latencyMs ?? 0;
    invariant(Number.isInteger(latencyMs) && latencyMs >= 0 && latencyMs <= nipSimulatorLatencyMsMax, `latencyMs must be 0..${nipSimulatorLatencyMsMax}`);
    this.latencyMs = latencyMs;
  }

  async transfer(request: InterbankTransferRequest, signal: AbortSignal): Promise<ProcessorReply> {
    if (!(await this.wait(signal))) return { kind: 'no_answer', reason: 'timeout' };
    this.calls.push({ kind: 'transfer', idempotencyKey: request.idempotencyKey });
    this.remember(request.idempotencyKey);
    return this.reply(transferCodeFor(request.bankCode, request.accountNumber), request.idempotencyKey);
  }

  async query(request: InterbankQueryRequest, signal: AbortSignal): Promise<ProcessorReply> {
    if (!(await this.wait(signal))) return { kind: 'no_answer', reason: 'timeout' };
    this.calls.push({ kind: 'query', idempotencyKey: request.idempotencyKey });
    if (!this.received.has(request.idempotencyKey)) return this.reply(nipCodes.recordNotFound, request.idempotencyKey);
    return this.reply(statusCodeFor(request.bankCode, request.accountNumber), request.idempotencyKey);
  }

  /** Forgets every key, as a restarted switch front-end would. */
  forget(): void {
    this.received.clear();
  }

  private remember(key: string): void {
    if (this.received.size >= receivedKeysMax) this.received.clear();
    this.received.add(key);
  }

  private reply(responseCode: string, idempotencyKey: string): ProcessorReply {
    const raw: JsonObject = { responseCode, sessionID: sessionIdFor(idempotencyKey) };
    return { kind: 'reply', raw };
  }

  private async wait(signal: AbortSignal): Promise<boolean> {
    if (this.latencyMs === 0) return !signal.aborted;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { resolve(!signal.aborted); }, this.latencyMs);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(false);
      }, { once: true });
    });
  }
}
