// CloudWatch alarms to an SNS topic: the refund and transfer failure rates and failed
// commits from the handlers' EMF metrics, any message in the audit dead-letter queue, and
// errors of every function. The standalone service's Prometheus rules
// (deploy/prometheus/contra-alerts.yml) use the same thresholds.
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { metricNames, metricsNamespace, serviceName } from '../../../src/interfaces/lambda/lambda-contract.ts';
import type { Functions } from './functions.ts';

/** Percentage of refunds failing (declined or errored) over five minutes that raises the alarm. */
export const refundFailureRatePercentMax = 10;
/** Below this many refunds in five minutes the rate is not judged: one failure of two is not a trend. */
export const refundRateSampleMin = 5;
const alarmPeriod = Duration.minutes(5);
/** Percentage of transfers that ended failed or escalated over fifteen minutes that raises the alarm. */
export const transferFailureRatePercentMax = 15;
/** Below this many transfers ended in fifteen minutes the rate is not judged. */
export const transferRateSampleMin = 20;
const transferAlarmPeriod = Duration.minutes(15);

function emfMetric(metricName: string, period = alarmPeriod, job?: string): Metric {
  return new Metric({ namespace: metricsNamespace, metricName, dimensionsMap: { service: serviceName, ...(job === undefined ? {} : { job }) }, statistic: 'Sum', period });
}

/**
 * Failed and escalated over every transfer that ended. FILL: a period with no success (or
 * no escalation) still has a rate — without it, every transfer failing would leave the
 * expression without data, and the alarm quiet.
 */
function transferFailureRate(): MathExpression {
  const ended = 'FILL(succeeded, 0) + FILL(failed, 0) + FILL(escalated, 0)';
  return new MathExpression({
    expression: `IF(${ended} >= ${transferRateSampleMin}, 100 * (FILL(failed, 0) + FILL(escalated, 0)) / (${ended}), 0)`,
    usingMetrics: {
      succeeded: emfMetric(metricNames.transferSucceeded, transferAlarmPeriod),
      failed: emfMetric(metricNames.transferFailed, transferAlarmPeriod),
      escalated: emfMetric(metricNames.transferEscalated, transferAlarmPeriod),
    },
    period: transferAlarmPeriod,
    label: 'Transfer failure rate (%)',
  });
}

export function createAlarms(scope: Construct, key: Key, functions: Functions, auditDeadLetterQueue: Queue): { topic: Topic; alarms: Alarm[] } {
  const topic = new Topic(scope, 'AlarmTopic', { displayName: 'Contra alarms', masterKey: key });
  // CloudWatch publishes to the encrypted topic with the payment key.
  key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
  const refundFailureRate = new MathExpression({
    expression: `IF(requested >= ${refundRateSampleMin}, 100 * failed / requested, 0)`,
    usingMetrics: { requested: emfMetric(metricNames.refundRequested), failed: emfMetric(metricNames.refundFailed) },
    period: alarmPeriod,
    label: 'Refund failure rate (%)',
  });
  const alarms = [
    refundFailureRate.createAlarm(scope, 'RefundFailureRateAlarm', {
      alarmDescription: `More than ${refundFailureRatePercentMax}% of refunds failed over five minutes (at least ${refundRateSampleMin} refunds)`,
      threshold: refundFailureRatePercentMax,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    transferFailureRate().createAlarm(scope, 'TransferFailureRateAlarm', {
      alarmDescription: `More than ${transferFailureRatePercentMax}% of transfers failed or were escalated over fifteen minutes (at least ${transferRateSampleMin} ended)`,
      threshold: transferFailureRatePercentMax,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    emfMetric(metricNames.storeCommitError).createAlarm(scope, 'StoreCommitErrorAlarm', {
      alarmDescription: 'A commit to the store failed outright (not a conflict, which is retried)',
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    emfMetric(metricNames.notificationDeadLettered, alarmPeriod, 'deliver-notifications').createAlarm(scope, 'NotificationDeadLetterAlarm', {
      alarmDescription: 'A notification could not be delivered and was moved to the dead letter (GET /api/v1/notifications?status=dead)',
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    ...functions.scheduled.map((entry) => emfMetric(metricNames.jobItemErrors, alarmPeriod, entry.job).createAlarm(scope, `${entry.fn.node.id}ItemErrorsAlarm`, {
      alarmDescription: `The ${entry.job} job could not handle an item and left it for its next run (see the job's log for the reason)`,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    })),
    auditDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }).createAlarm(scope, 'AuditDeadLetterAlarm', {
      alarmDescription: 'An audit message reached the dead-letter queue',
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    ...[functions.http, functions.refund, functions.auditConsumer, ...functions.scheduled.map((entry) => entry.fn)].map((fn) =>
      fn.metricErrors({ period: alarmPeriod, statistic: 'Sum' }).createAlarm(scope, `${fn.node.id}ErrorsAlarm`, {
        alarmDescription: `The ${fn.node.id} Lambda function failed`,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      })),
  ];
  for (const alarm of alarms) alarm.addAlarmAction(new SnsAction(topic));
  return { topic, alarms };
}
