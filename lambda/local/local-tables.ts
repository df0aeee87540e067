import { CreateTableCommand, DescribeTableCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableResource } from './cloud-assembly';

type KeySchema = CreateTableCommandInput['KeySchema'];
interface IndexProperties {
  readonly IndexName: string;
  readonly KeySchema: KeySchema;
  readonly Projection?: { readonly ProjectionType?: string; readonly NonKeyAttributes?: string[] };
}

/**
 * Creates a table of the template in DynamoDB Local, with its key schema, indexes and stream.
 * Capacity, encryption, point-in-time recovery and replicas have no local meaning and are left
 * out; TTL too, since DynamoDB Local does not expire items (readers filter on the TTL attribute).
 * Answers the table's stream ARN, if it has a stream. A table of that name that exists already
 * (left by an earlier run given the same `tablePrefix`) is used as it is, items and stream included:
 * a changed app can run on what an earlier one stored.
 */
export async function createLocalTable(client: DynamoDBClient, table: TableResource, tableName: string): Promise<string | undefined> {
  const p = table.properties as {
    AttributeDefinitions?: CreateTableCommandInput['AttributeDefinitions'];
    KeySchema?: KeySchema;
    GlobalSecondaryIndexes?: IndexProperties[];
    LocalSecondaryIndexes?: IndexProperties[];
    StreamSpecification?: { StreamViewType?: string };
  };
  const index = (i: IndexProperties) => ({
    IndexName: i.IndexName,
    KeySchema: i.KeySchema,
    Projection: { ProjectionType: (i.Projection?.ProjectionType ?? 'ALL') as 'ALL', NonKeyAttributes: i.Projection?.NonKeyAttributes },
  });
  const streamViewType = p.StreamSpecification?.StreamViewType;
  try {
    await client.send(new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: p.AttributeDefinitions,
      KeySchema: p.KeySchema,
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: p.GlobalSecondaryIndexes?.map(index),
      LocalSecondaryIndexes: p.LocalSecondaryIndexes?.map(index),
      StreamSpecification: streamViewType ? { StreamEnabled: true, StreamViewType: streamViewType as 'NEW_IMAGE' } : undefined,
    }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
  if (!streamViewType) return undefined;
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return Table?.LatestStreamArn;
}
