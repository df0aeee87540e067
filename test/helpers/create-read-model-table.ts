import { CreateTableCommand, DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { READ_MODEL, readModelIndexKeys } from '../../lib/private/runtime-contract';
import { localDynamoDb, uniqueTableName } from './dynamodb-client';
import { documentClient, scanTable } from './create-event-store-table';

export interface ReadModelTable {
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly scanAll: () => Promise<Record<string, unknown>[]>;
  readonly drop: () => Promise<void>;
}

/** A read-model table shaped as the construct makes it (pk S, sk S, one GSI per index name, keys `<index>_pk`/`<index>_sk`) on DynamoDB Local. */
export async function createReadModelTable(prefix: string, indexNames: readonly string[] = []): Promise<ReadModelTable> {
  const client = localDynamoDb();
  const tableName = uniqueTableName(prefix);
  const indexKeys = indexNames.map((name) => ({ name, ...readModelIndexKeys(name) }));
  await client.send(new CreateTableCommand({
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: READ_MODEL.partitionKey, AttributeType: 'S' }, { AttributeName: READ_MODEL.sortKey, AttributeType: 'S' },
      ...indexKeys.flatMap((k) => [{ AttributeName: k.partitionKey, AttributeType: 'S' as const }, { AttributeName: k.sortKey, AttributeType: 'S' as const }]),
    ],
    KeySchema: [{ AttributeName: READ_MODEL.partitionKey, KeyType: 'HASH' }, { AttributeName: READ_MODEL.sortKey, KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: indexKeys.length === 0 ? undefined : indexKeys.map((k) => ({
      IndexName: k.name,
      KeySchema: [{ AttributeName: k.partitionKey, KeyType: 'HASH' as const }, { AttributeName: k.sortKey, KeyType: 'RANGE' as const }],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  }));
  const doc = documentClient(client);
  const scanAll = () => scanTable(doc, tableName);
  return {
    client, doc, tableName, scanAll,
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}
