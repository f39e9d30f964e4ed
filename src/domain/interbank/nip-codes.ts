// The NIBSS NIP-shaped inter-bank reply format and its response-code table (P3), as data:
// every NIP code we know, what it means as a canonical outcome, and which failure type
// (V2) a failed transfer with that code has. Overridable per deployment like any table.
import { z } from 'zod';
import { defineCodeTable, type CodeRule, type NormalizationTable, type RawReply, type ReadReply } from '../processors/normalize.ts';

export const nipRailId = 'nip';

/** NIP response codes the simulator and the table share, so the two cannot drift apart. */
export const nipCodes = {
  success: '00',
  statusUnknown: '01',
  invalidSender: '03',
  doNotHonor: '05',
  dormantAccount: '06',
  invalidAccount: '07',
  accountNameMismatch: '08',
  inProgress: '09',
  invalidTransaction: '12',
  invalidAmount: '13',
  unknownBankCode: '16',
  recordNotFound: '25',
  duplicateRecord: '26',
  insufficientFunds: '51',
  notPermitted: '57',
  limitExceeded: '61',
  bankUnavailable: '91',
  routingError: '92',
  duplicateTransaction: '94',
  systemMalfunction: '96',
  timeout: '97',
} as const;

/** A NIP reply: `responseCode` and the session id NIBSS gives the transfer. */
const nipReplySchema = z.object({
  responseCode: z.string().regex(/^[0-9]{2}$/),
  sessionID: z.string().min(1).max(64).optional(),
});

export function readNipReply(raw: RawReply): ReadReply | null {
  const parsed = nipReplySchema.safeParse(raw);
  if (!parsed.success) return null;
  const { responseCode, sessionID } = parsed.data;
  return { resultCode: responseCode, ...(sessionID === undefined ? {} : { processorReference: sessionID }) };
}

const rule = (kind: CodeRule['kind'], code: string, retryable: boolean, message: string): CodeRule => ({ kind, code, retryable, message });

const nipCodeRules: Readonly<Record<string, CodeRule>> = {
  [nipCodes.success]: rule('approved', 'approved', false, 'The beneficiary bank credited the account.'),
  [nipCodes.statusUnknown]: rule('pending', 'status_unknown', true, 'The status of the transfer is unknown; it will be queried.'),
  [nipCodes.invalidSender]: rule('declined', 'invalid_sender', false, 'The sender is not valid for inter-bank transfers.'),
  [nipCodes.doNotHonor]: rule('declined', 'do_not_honor', false, 'The beneficiary bank refused the transfer.'),
  [nipCodes.dormantAccount]: rule('declined', 'dormant_account', false, 'The beneficiary account is dormant.'),
  [nipCodes.invalidAccount]: rule('declined', 'invalid_account', false, 'The beneficiary account does not exist.'),
  [nipCodes.accountNameMismatch]: rule('declined', 'account_name_mismatch', false, 'The beneficiary account name does not match.'),
  [nipCodes.inProgress]: rule('pending', 'in_progress', true, 'The transfer is still being processed; it will be queried.'),
  [nipCodes.invalidTransaction]: rule('declined', 'invalid_transaction', false, 'The inter-bank switch refused the transfer as invalid.'),
  [nipCodes.invalidAmount]: rule('declined', 'invalid_amount', false, 'The inter-bank switch refused the amount.'),
  [nipCodes.unknownBankCode]: rule('declined', 'unknown_bank_code', false, 'The beneficiary bank code is not known to the switch.'),
  // Not a decline: the switch has no record, so the transfer is sent again under the same key.
  [nipCodes.recordNotFound]: rule('error', 'not_found', true, 'The switch has no record of the transfer.'),
  [nipCodes.duplicateRecord]: rule('pending', 'duplicate', true, 'The switch reported a duplicate; the transfer will be queried.'),
  [nipCodes.insufficientFunds]: rule('declined', 'insufficient_funds', false, 'The switch refused the transfer: insufficient funds.'),
  [nipCodes.notPermitted]: rule('declined', 'not_permitted', false, 'The transfer is not permitted for this sender.'),
  [nipCodes.limitExceeded]: rule('declined', 'limit_exceeded', false, 'The transfer exceeds a limit.'),
  [nipCodes.bankUnavailable]: rule('declined', 'bank_unavailable', false, 'The beneficiary bank is not available.'),
  [nipCodes.routingError]: rule('declined', 'routing_error', false, 'The switch could not route the transfer to the beneficiary bank.'),
  [nipCodes.duplicateTransaction]: rule('pending', 'duplicate', true, 'The switch reported a duplicate; the transfer will be queried.'),
  [nipCodes.systemMalfunction]: rule('declined', 'system_malfunction', false, 'The switch or the beneficiary bank had a system malfunction.'),
  [nipCodes.timeout]: rule('pending', 'timeout', true, 'The beneficiary bank did not answer in time; the transfer will be queried.'),
};

export const nipCodeTable = defineCodeTable({
  readReply: readNipReply,
  codes: nipCodeRules,
  unknownCode: { kind: 'pending', code: 'unknown_code', retryable: true, message: 'The switch answered with a code this deployment does not know; the transfer will be queried.' },
});

export const nipNormalizationTable: NormalizationTable = new Map([[nipRailId, nipCodeTable]]);
