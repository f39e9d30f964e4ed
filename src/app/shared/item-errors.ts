// What a background job reports about the items it could not handle: each item is handled
// on its own, so one that throws (a damaged record, a commit the store refuses) is counted
// here and left for the next run, and the job goes on with the items after it — otherwise
// one poison item would stop the job for every item listed after it, in every tenant, on
// every run.
import type { TenantId } from '../../domain/ids.ts';
import { describeFailure } from './describe-failure.ts';

export type ItemErrors = {
  /** Items whose handling threw; each is tried again on the next run. */
  errors: number;
  /** Why, for the job's log: the first few, `<tenant_id>/<id>: <error>`, without credentials. */
  errorReasons: string[];
};

const errorReasonsMax = 5;

export function noItemErrors(): ItemErrors {
  return { errors: 0, errorReasons: [] };
}

export function countItemError(report: ItemErrors, tenantId: TenantId, id: string, error: unknown): void {
  report.errors++;
  if (report.errorReasons.length < errorReasonsMax) report.errorReasons.push(`${tenantId}/${id}: ${describeFailure(error)}`);
}
