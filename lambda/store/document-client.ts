import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * How every document client of the runtime marshalls: an `undefined` field is left out, as
 * `JSON.stringify` does, so a view or event data with an optional field can be stored.
 */
export const MARSHALL_OPTIONS = { removeUndefinedValues: true } as const;

/**
 * The runtime's one way to build a document client, for the current region unless `client` is
 * given. The SDK is loaded here, on first use: importing `cdk-cqrs/runtime` must not need it.
 */
export async function createDocumentClient(client?: DynamoDBClient): Promise<DynamoDBDocumentClient> {
  const [{ DynamoDBClient: Client }, { DynamoDBDocumentClient: DocumentClient }] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('@aws-sdk/lib-dynamodb')]);
  return DocumentClient.from(client ?? new Client({}), { marshallOptions: MARSHALL_OPTIONS });
}
