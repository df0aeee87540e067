import { CreateTableCommand, DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { MARSHALL_OPTIONS } from '../../lambda/store/document-client';
import type { CommandHandlerDeps } from '../../lambda/write/handle-command';
import { localDynamoDb, uniqueTableName } from './dynamodb-client';

export interface EventStoreTable {
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly scanAll: () => Promise<Record<string, unknown>[]>;
  readonly deps: (overrides?: Partial<CommandHandlerDeps>) => CommandHandlerDeps;
  readonly drop: () => Promise<void>;
}

/** Every item of a table, read strongly consistent, page by page. */
export async function scanTable(doc: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** A document client that marshalls as the runtime's do, so that what a test stores is what the runtime would store. */
export const documentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: MARSHALL_OPTIONS });

/**
 * An event-store table shaped as the construct makes it (pk S, sk N, stream NEW_IMAGE) on DynamoDB Local.
 * `stream: false` leaves the stream off for tests that write thousands of events and never read the stream:
 * DynamoDB Local slows every stream-enabled write as stream records pile up across the instance, even of
 * dropped tables (10,000 writes took 3 s on a fresh instance and 73 s after 30,000 earlier ones).
 */
export async function createEventStoreTable(prefix: string, { stream = true } = {}): Promise<EventStoreTable> {
  const client = localDynamoDb();
  const tableName = uniqueTableName(prefix);
  await client.send(new CreateTableCommand({
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
    ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } } : {}),
  }));
  const doc = documentClient(client);
  const scanAll = () => scanTable(doc, tableName);
  return {
    client, doc, tableName, scanAll,
    deps: (overrides) => ({
      dynamoDb: doc, tableName, aggregateName: 'Customer', eventSource: 'test.Customer',
      snapshotEvery: 50, maxConflictRetries: 3, idempotencyTtlSeconds: 24 * 60 * 60, ...overrides,
    }),
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}
