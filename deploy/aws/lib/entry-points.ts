// How the functions are reached: an HTTP API whose default route goes to the HTTP API
// function and whose refund route goes to the seed's Refund Processing Lambda, and one
// EventBridge schedule per scheduled function.
import { Duration } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import type { Functions } from './functions.ts';

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

export function createSchedules(scope: Construct, functions: Functions): Rule[] {
  return functions.scheduled.map(({ job, everyMinutes, fn }) => new Rule(scope, `Schedule-${job}`, {
    description: `Contra: runs the ${job} job`,
    schedule: Schedule.rate(Duration.minutes(everyMinutes)),
    // A missed run is not retried: the next one comes in minutes and covers the same work.
    targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
  }));
}
