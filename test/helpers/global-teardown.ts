import { stopDynamoDbLocal, type RunningDynamoDbLocal } from './shared-dynamodb-local';

export default async function globalTeardown(): Promise<void> {
  const running = (globalThis as { dynamoDbLocal?: RunningDynamoDbLocal }).dynamoDbLocal;
  if (running) await stopDynamoDbLocal(running);
}
