import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { localDynamoDbStreams } from './dynamodb-client';

/** Every record of a table's stream on DynamoDB Local, wrapped as the Lambda event a DynamoEventSource delivers. */
export async function readStreamEvent(client: DynamoDBClient, tableName: string): Promise<DynamoDBStreamEvent> {
  const streams = localDynamoDbStreams();
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const streamArn = Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`Table ${tableName} has no stream.`);
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const records: DynamoDBRecord[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      let { ShardIterator: iterator } = await streams.send(new GetShardIteratorCommand({
        StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON',
      }));
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        const batch = page.Records ?? [];
        records.push(...(batch as DynamoDBRecord[]));
        iterator = batch.length > 0 ? page.NextShardIterator : undefined;
      }
    }
    return { Records: records };
  } finally {
    streams.destroy();
  }
}
