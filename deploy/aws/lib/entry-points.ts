// How the functions are reached: an HTTP API whose default route goes to the HTTP API
// function and whose refund route goes to the seed's Refund Processing Lambda, and one
// EventBridge schedule per scheduled function: a rate for the frequent jobs, a daily cron
// at the job's Lagos time for the daily ones (EventBridge cron is UTC; Africa/Lagos is
// UTC+1 all year, Nigeria keeps no daylight saving time).
import { Duration } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import type { Functions, ScheduledHandler } from './functions.ts';
import { lagosUtcOffsetMs } from '../../../src/domain/timelines/lagos-dates.ts';

/** Steady requests per second the API accepts before answering 429, and the burst above it. */
export const apiRateLimitPerSecond = 200;
export const apiBurstLimit = 400;
export const refundRoutePath = '/api/v1/payments/{transaction_id}/refunds';

export function createHttpApi(scope: Construct, functions: Functions): HttpApi {
  const api = new HttpApi(scope, 'HttpApi', {
    apiName: 'contra',
    createDefaultStage: false,
    defaultIntegration: new HttpLambdaIntegration('HttpApiIntegration', functions.http),
  });
  api.addRoutes({ path: refundRoutePath, methods: [HttpMethod.POST], integration: new HttpLambdaIntegration('RefundIntegration', functions.refund) });
  new HttpStage(scope, 'HttpApiStage', {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    throttle: { rateLimit: apiRateLimitPerSecond, burstLimit: apiBurstLimit },
  });
  return api;
}

const hourMs = 3_600_000;

/** The EventBridge schedule of a scheduled handler. */
export function scheduleOf(entry: ScheduledHandler): Schedule {
  if ('everyMinutes' in entry) return Schedule.rate(Duration.minutes(entry.everyMinutes));
  const utcHour = (entry.dailyAtLagos.hour - lagosUtcOffsetMs / hourMs + 24) % 24;
  return Schedule.cron({ hour: String(utcHour), minute: String(entry.dailyAtLagos.minute) });
}

export function createSchedules(scope: Construct, functions: Functions): Rule[] {
  return functions.scheduled.map(({ job, entry, fn }) => new Rule(scope, `Schedule-${job}`, {
    description: `Contra: runs the ${job} job`,
    schedule: scheduleOf(entry),
    // A missed run is not retried: the next one comes in minutes and covers the same work.
    targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
  }));
}
