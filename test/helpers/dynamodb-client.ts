import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { randomUUID } from 'node:crypto';

const localConfig = () => {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: run the tests with `npm test`, which starts DynamoDB Local.');
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
};

/** A client for the DynamoDB Local that the test run started. */
export const localDynamoDb = (): DynamoDBClient => new DynamoDBClient(localConfig());

/** A DynamoDB Streams client for the same DynamoDB Local. */
export const localDynamoDbStreams = (): DynamoDBStreamsClient => new DynamoDBStreamsClient(localConfig());

/** A table name no other test file uses. */
export const uniqueTableName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;
