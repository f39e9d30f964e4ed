// The CDK app: `npx cdk synth` / `npx cdk deploy` in deploy/aws. Account and region come
// from the CLI's environment (AWS_PROFILE, AWS_REGION) when deploying.
import { App } from 'aws-cdk-lib';
import { ContraStack } from '../lib/contra-stack.ts';

const app = new App();
const account = process.env['CDK_DEFAULT_ACCOUNT'];
const region = process.env['CDK_DEFAULT_REGION'];
new ContraStack(app, 'Contra', {
  ...(account === undefined || region === undefined ? {} : { env: { account, region } }),
});
app.synth();
