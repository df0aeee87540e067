import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { StreamReader } from '../../lambda/local/stream-reader';
import { localDynamoDb, localDynamoDbStreams, uniqueTableName } from '../helpers/dynamodb-client';
import { documentClient } from '../helpers/create-event-store-table';

// The local runtime's reader of a table's stream, on DynamoDB Local's Streams API.
const client = localDynamoDb();
const doc = documentClient(client);
const streams = localDynamoDbStreams();
const tableName = uniqueTableName('stream-reader');
let streamArn: string;

beforeAll(async () => {
  const created = await client.send(new CreateTableCommand({
    TableName: tableName, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  }));
  streamArn = created.TableDescription!.LatestStreamArn!;
});
afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  client.destroy();
  streams.destroy();
});

const put = (pk: string, v: number) => doc.send(new PutCommand({ TableName: tableName, Item: { pk, v } }));
const sequenceNumbers = (read: Awaited<ReturnType<StreamReader['read']>>) => read.flatMap((shard) => shard.records.map((r) => r.dynamodb.SequenceNumber));

describe('StreamReader', () => {
  test('hands out each record once, with its shard, and the old image of a changed item', async () => {
    const reader = new StreamReader(streams, streamArn, 'us-east-1');
    await reader.read(); // skip what earlier tests wrote
    await put('a', 1);
    await put('a', 2);

    const [shard, ...others] = await reader.read();

    expect(others).toEqual([]);
    expect(shard.shardId).toMatch(/^shardId-/);
    expect(shard.records.map((r) => [r.eventName, r.dynamodb.OldImage, r.dynamodb.NewImage])).toEqual([
      ['INSERT', undefined, { pk: { S: 'a' }, v: { N: '1' } }],
      ['MODIFY', { pk: { S: 'a' }, v: { N: '1' } }, { pk: { S: 'a' }, v: { N: '2' } }],
    ]);
    expect(await reader.read()).toEqual([]);
  });

  test('a read that fails part-way hands out nothing and moves no position, so the next read has every record', async () => {
    // GIVEN a client whose second GetRecords call fails (the reader reads one page of 1,000 and then asks for more)
    let getRecordsCalls = 0;
    const failingOnce = {
      send: (command: object) => {
        if (command instanceof GetRecordsCommand && (getRecordsCalls += 1) === 2) return Promise.reject(new Error('ECONNRESET'));
        return streams.send(command as GetRecordsCommand);
      },
    } as DynamoDBStreamsClient;
    const positioned = new StreamReader(streams, streamArn, 'us-east-1');
    const recordsBefore = sequenceNumbers(await positioned.read()).length;
    const reader = new StreamReader(failingOnce, streamArn, 'us-east-1');
    await put('b', 1);
    await put('c', 1);

    // WHEN
    await expect(reader.read()).rejects.toThrow('ECONNRESET');
    const again = sequenceNumbers(await reader.read());

    // THEN every record since the trim horizon, the two new ones last
    expect(again).toHaveLength(recordsBefore + 2);
    expect(new Set(again).size).toBe(again.length);
  });
});
