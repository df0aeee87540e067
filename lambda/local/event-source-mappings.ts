import { matchesEventPattern, type EventPattern } from './event-pattern';
import type { Invocation } from './function-host';
import type { LocalQueue } from './local-queue';
import type { LambdaStreamRecord, StreamReader } from './stream-reader';

/** Invokes a function by its key and answers what it returned or threw. */
export type Invoke = (functionKey: string, event: unknown) => Promise<Invocation>;

/** One poll of an event source: how many records or messages were handed to the function. */
export type Poll = () => Promise<number>;

interface BatchAnswer {
  readonly batchItemFailures?: readonly { readonly itemIdentifier?: string }[];
}

const failuresOf = (invocation: Invocation, reportBatchItemFailures: boolean): ReadonlySet<string> | 'all' => {
  if (!invocation.ok) return 'all';
  if (!reportBatchItemFailures) return new Set();
  const failures = (invocation.result as BatchAnswer | null)?.batchItemFailures ?? [];
  return new Set(failures.map((f) => String(f.itemIdentifier)));
};

export interface QueueMappingSettings {
  readonly functionKey: string;
  readonly queue: LocalQueue;
  readonly batchSize: number;
  readonly reportBatchItemFailures: boolean;
}

/**
 * Lambda's SQS event source: receive a batch, invoke, delete what succeeded. A failed message
 * (listed in `batchItemFailures`, or all of them when the function throws) is not deleted: it
 * comes back after the visibility timeout, and its queue's redrive policy decides when it goes
 * to the dead-letter queue.
 */
export function queuePoller(settings: QueueMappingSettings, invoke: Invoke): Poll {
  return async () => {
    let delivered = 0;
    while (settings.queue.hasVisible()) {
      const records = settings.queue.receive(settings.batchSize);
      if (records.length === 0) break; // the visible ones went to the dead-letter queue
      delivered += records.length;
      const failed = failuresOf(await invoke(settings.functionKey, { Records: records }), settings.reportBatchItemFailures);
      for (const record of records) {
        if (failed !== 'all' && !failed.has(record.messageId)) settings.queue.delete(record.receiptHandle);
      }
    }
    return delivered;
  };
}

export interface StreamMappingSettings {
  readonly functionKey: string;
  readonly reader: StreamReader;
  readonly batchSize: number;
  readonly reportBatchItemFailures: boolean;
  /** Lambda's event filtering: records that match none of these patterns are dropped (none: keep all). */
  readonly filterPatterns: readonly EventPattern[];
  /** Retries of a failing batch before it is given up. @default 10 */
  readonly maximumRetryAttempts?: number;
  /** Where a batch given up goes, as Lambda's on-failure destination does (a record of it, not the data). */
  readonly onFailure?: LocalQueue;
}

const DEFAULT_STREAM_RETRIES = 10;

/**
 * Lambda's DynamoDB stream event source, in order per shard: a batch that fails (from the first
 * record named in `batchItemFailures`, or whole when the function throws) is retried from that
 * record; after `maximumRetryAttempts` it goes to the on-failure destination and reading moves on.
 */
export function streamPoller(settings: StreamMappingSettings, invoke: Invoke): Poll {
  let pending: LambdaStreamRecord[] = [];
  let attempts = 0;
  const keep = (record: LambdaStreamRecord) =>
    settings.filterPatterns.length === 0 || settings.filterPatterns.some((pattern) => matchesEventPattern(pattern, record));
  return async () => {
    pending.push(...(await settings.reader.read()).filter(keep));
    let delivered = 0;
    while (pending.length > 0) {
      const batch = pending.slice(0, settings.batchSize);
      delivered += batch.length;
      const failed = failuresOf(await invoke(settings.functionKey, { Records: batch }), settings.reportBatchItemFailures);
      const firstFailed = failed === 'all' ? 0 : batch.findIndex((record) => failed.has(record.dynamodb.SequenceNumber));
      if (firstFailed < 0) {
        pending = pending.slice(batch.length);
        attempts = 0;
        continue;
      }
      pending = pending.slice(firstFailed);
      attempts += 1;
      if (attempts <= (settings.maximumRetryAttempts ?? DEFAULT_STREAM_RETRIES)) continue;
      const givenUp = batch.slice(firstFailed);
      settings.onFailure?.send(JSON.stringify({
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: attempts },
        DDBStreamBatchInfo: {
          shardId: givenUp[0].eventID, startSequenceNumber: givenUp[0].dynamodb.SequenceNumber,
          endSequenceNumber: givenUp[givenUp.length - 1].dynamodb.SequenceNumber, batchSize: givenUp.length,
          streamArn: givenUp[0].eventSourceARN,
        },
      }));
      pending = pending.slice(givenUp.length);
      attempts = 0;
    }
    return delivered;
  };
}
