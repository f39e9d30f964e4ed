// Checks every store adapter runs on a changeset before touching its database: the size
// limits of the port and the shape of each part. A failure is a bug in the use case that
// built the changeset, so it throws instead of returning a conflict.
import {
  changesetAuditMax,
  changesetOutboxMax,
  changesetRecordsMax,
  changesetTransfersMax,
  type Changeset,
} from '../../app/ports/store.ts';
import { invariant } from '../../domain/invariant.ts';
import { assertTransferShape } from '../../domain/journal/transfers.ts';

function assertCountWithin(count: number | undefined, limit: number, what: string): void {
  invariant((count ?? 0) <= limit, `a changeset carries ${count ?? 0} ${what}, more than the limit of ${limit}`);
}

function isTime(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

export function assertChangesetShape(changeset: Changeset): void {
  assertCountWithin(changeset.transfers?.length, changesetTransfersMax, 'transfers');
  assertCountWithin(changeset.records?.length, changesetRecordsMax, 'records');
  assertCountWithin(changeset.audit?.length, changesetAuditMax, 'audit records');
  assertCountWithin(changeset.outbox?.length, changesetOutboxMax, 'outbox messages');
  invariant(isTime(changeset.at), `changeset time ${changeset.at} is not a time in ms`);
  for (const account of changeset.accounts ?? []) {
    invariant(account.tenantId === changeset.tenantId, `account ${account.id} belongs to another tenant than its changeset`);
  }
  for (const transfer of changeset.transfers ?? []) assertTransferShape(transfer);
  for (const record of changeset.records ?? []) {
    invariant(Number.isSafeInteger(record.expectedVersion) && record.expectedVersion >= 0, `record ${record.kind}/${record.id} expects version ${record.expectedVersion}`);
  }
  for (const entry of changeset.ledgerEntries ?? []) {
    invariant(Number.isSafeInteger(entry.sequence) && entry.sequence >= 1, `ledger entry ${entry.transactionId}#${entry.sequence} has no valid position`);
    invariant(isTime(entry.at), `ledger entry ${entry.transactionId}#${entry.sequence} has no valid time`);
  }
  for (const append of changeset.audit ?? []) invariant(isTime(append.at), `audit record ${append.id} has no valid time`);
  for (const message of changeset.outbox ?? []) invariant(isTime(message.at), `outbox message ${message.id} has no valid time`);
}
