import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SESSION_TABLE } from '../../lib/private/runtime-contract';
import { localDynamoDb, uniqueTableName } from './dynamodb-client';
import { documentClient } from './create-event-store-table';

/** A session table shaped as the construct makes it (pk S, sk S) on DynamoDB Local. */
export async function createSessionTable(prefix: string) {
  const client = localDynamoDb();
  const tableName = uniqueTableName(prefix);
  await client.send(new CreateTableCommand({
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: SESSION_TABLE.partitionKey, AttributeType: 'S' }, { AttributeName: SESSION_TABLE.sortKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: SESSION_TABLE.partitionKey, KeyType: 'HASH' }, { AttributeName: SESSION_TABLE.sortKey, KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  const doc = documentClient(client);
  return {
    tableName,
    /** Every entry of a session, oldest first. */
    entries: async (sessionId: string) => (await doc.send(new QueryCommand({
      TableName: tableName, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': SESSION_TABLE.partitionKey },
      ExpressionAttributeValues: { ':pk': sessionId }, ConsistentRead: true,
    }))).Items ?? [],
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}
