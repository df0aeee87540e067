import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, type DynamoDBStreamsClient, type GetRecordsCommandOutput, type _Record,
} from '@aws-sdk/client-dynamodb-streams';

/** A stream record shaped as Lambda's DynamoDB event source hands it to a function (aws-lambda's DynamoDBRecord). */
export interface LambdaStreamRecord {
  readonly eventID: string;
  readonly eventName: string;
  readonly eventVersion: string;
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly eventSourceARN: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime?: number;
    readonly Keys?: Record<string, AttributeValue>;
    readonly NewImage?: Record<string, AttributeValue>;
    readonly OldImage?: Record<string, AttributeValue>;
    readonly SequenceNumber: string;
    readonly SizeBytes?: number;
    readonly StreamViewType?: string;
  };
}

/** The records of one shard, in sequence order: Lambda batches and retries per shard. */
export interface ShardRecords {
  readonly shardId: string;
  readonly records: readonly LambdaStreamRecord[];
}

/**
 * Reads a table's stream through the DynamoDB Streams API of DynamoDB Local, from the trim
 * horizon, shard by shard, as Lambda's event source does. `read` returns the records written
 * since the last call; records are handed out once, in sequence order per shard.
 */
export class StreamReader {
  /** The last sequence number handed out, per shard. DynamoDB Local's iterators do not outlive a read, so each read starts a new one after it. */
  private readonly lastRead = new Map<string, string>();
  /** Shards read to their end after they closed. */
  private readonly finished = new Set<string>();

  constructor(private readonly client: DynamoDBStreamsClient, private readonly streamArn: string, private readonly region: string) {}

  /** The records written since the last read, per shard. A read that fails hands out nothing and moves no position. */
  async read(): Promise<ShardRecords[]> {
    const { StreamDescription } = await this.client.send(new DescribeStreamCommand({ StreamArn: this.streamArn }));
    const shards: { shardId: string; records: LambdaStreamRecord[]; finished: boolean }[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId!;
      if (this.finished.has(shardId)) continue;
      const read = { shardId, records: [] as LambdaStreamRecord[], finished: false };
      const after = this.lastRead.get(shardId);
      let iterator = (await this.client.send(new GetShardIteratorCommand({
        StreamArn: this.streamArn, ShardId: shardId,
        ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }))).ShardIterator;
      while (iterator) {
        const page: GetRecordsCommandOutput = await this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        const batch = (page.Records ?? []).map((record) => this.toLambdaRecord(record));
        read.records.push(...batch);
        iterator = page.NextShardIterator;
        read.finished = !iterator;
        if (batch.length === 0) break;
      }
      shards.push(read);
    }
    // Every call succeeded: only now do the positions move.
    for (const { shardId, records, finished } of shards) {
      if (records.length > 0) this.lastRead.set(shardId, records[records.length - 1].dynamodb.SequenceNumber);
      if (finished) this.finished.add(shardId);
    }
    return shards.filter((shard) => shard.records.length > 0).map(({ shardId, records }) => ({ shardId, records }));
  }

  private toLambdaRecord(record: _Record): LambdaStreamRecord {
    const data = record.dynamodb ?? {};
    return {
      eventID: record.eventID ?? '',
      eventName: record.eventName ?? '',
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region,
      eventSourceARN: this.streamArn,
      dynamodb: {
        ApproximateCreationDateTime: data.ApproximateCreationDateTime ? Math.floor(data.ApproximateCreationDateTime.getTime() / 1000) : undefined,
        Keys: data.Keys as Record<string, AttributeValue> | undefined,
        NewImage: data.NewImage as Record<string, AttributeValue> | undefined,
        OldImage: data.OldImage as Record<string, AttributeValue> | undefined,
        SequenceNumber: data.SequenceNumber ?? '',
        SizeBytes: data.SizeBytes,
        StreamViewType: data.StreamViewType,
      },
    };
  }
}
