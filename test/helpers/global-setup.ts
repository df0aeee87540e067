import { startDynamoDbLocal } from './shared-dynamodb-local';

/** One DynamoDB Local for the whole run; each test file creates its own tables. */
export default async function globalSetup(): Promise<void> {
  // The SDK warns on every client that releases after January 2027 need Node 22; CI runs Node 20 on purpose.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const running = await startDynamoDbLocal();
  (globalThis as { dynamoDbLocal?: unknown }).dynamoDbLocal = running;
  process.env.DYNAMODB_ENDPOINT = running.endpoint;
}
