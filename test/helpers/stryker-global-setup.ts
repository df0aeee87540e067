/**
 * Jest's global setup under StrykerJS (jest.stryker.config.js): every mutant run is a jest run, so DynamoDB Local is
 * started by the Stryker test runner (scripts/stryker/worker-dynamodb-local.mjs), which sets DYNAMODB_ENDPOINT.
 */
export default async function strykerGlobalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (!process.env.DYNAMODB_ENDPOINT) {
    throw new Error('DYNAMODB_ENDPOINT is not set: run mutation testing with `npm run mutate`, whose test runner (scripts/stryker/jest-test-files.mjs) starts DynamoDB Local.');
  }
}
