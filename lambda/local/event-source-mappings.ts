import { matchesEventPattern, type EventPattern } from './event-pattern';
import type { Invocation } from './function-host';
import type { LocalQueue, LocalQueueRecord } from './local-queue';
import type { LambdaStreamRecord, StreamReader } from './stream-reader';

/** Invokes a function by its key and answers what it returned or threw. */
export type Invoke = (functionKey: string, event: unknown) => Promise<Invocation>;

/** One poll of an event source: how many records or messages were handed to the function. */
export type Poll = () => Promise<number>;

/**
 * Which items of a batch failed. As Lambda does, an answer it cannot read (`batchItemFailures`
 * not a list, an entry not an object) or an item identifier that is empty, not a string or not
 * in the batch fails the whole batch rather than passing for a success.
 */
const failuresOf = (invocation: Invocation, reportBatchItemFailures: boolean, batchIds: readonly string[]): ReadonlySet<string> | 'all' => {
  if (!invocation.ok) return 'all';
  if (!reportBatchItemFailures) return new Set();
  const result = invocation.result as { batchItemFailures?: unknown } | null | undefined;
  const failures = (typeof result === 'object' && result !== null ? result.batchItemFailures : undefined) ?? [];
  if (!Array.isArray(failures)) return 'all';
  const ids: unknown[] = failures.map((f) => (typeof f === 'object' && f !== null ? (f as { itemIdentifier?: unknown }).itemIdentifier : undefined));
  if (ids.some((id) => typeof id !== 'string' || !batchIds.includes(id))) return 'all';
  return new Set(ids as string[]);
};

/** Lambda's event filtering: a record that matches none of the patterns is dropped (no patterns: keep all). */
const matchesAny = (patterns: readonly EventPattern[], record: unknown): boolean =>
  patterns.length === 0 || patterns.some((pattern) => matchesEventPattern(pattern, record));

/** An SQS record as filters see it: a body that is JSON is matched as the object it holds. */
function filterableMessage(record: LocalQueueRecord): unknown {
  try {
    return { ...record, body: JSON.parse(record.body) as unknown };
  } catch {
    return record;
  }
}

export interface QueueMappingSettings {
  readonly functionKey: string;
  readonly queue: LocalQueue;
  readonly batchSize: number;
  readonly reportBatchItemFailures: boolean;
  /** Messages that match none of these patterns are deleted without invoking the function, as Lambda does (none: keep all). @default - none */
  readonly filterPatterns?: readonly EventPattern[];
}

/**
 * Lambda's SQS event source: receive a batch, drop what the filters reject, invoke, delete what
 * succeeded. A failed message (listed in `batchItemFailures`, or all of them when the function
 * throws) is not deleted: it comes back after the visibility timeout, and its queue's redrive
 * policy decides when it goes to the dead-letter queue.
 */
export function queuePoller(settings: QueueMappingSettings, invoke: Invoke): Poll {
  return async () => {
    let delivered = 0;
    // A message delivered once in this poll waits for the next: with a visibility timeout of 0 it
    // would come straight back. It is not received again here, so its receive count stays true.
    const seen = new Set<string>();
    while (settings.queue.hasVisible(seen)) {
      const received = settings.queue.receive(settings.batchSize, seen);
      if (received.length === 0) break; // the visible ones went to the dead-letter queue
      received.forEach((record) => seen.add(record.messageId));
      const records = received.filter((record) => matchesAny(settings.filterPatterns ?? [], filterableMessage(record)));
      received.filter((record) => !records.includes(record)).forEach((record) => settings.queue.delete(record.receiptHandle));
      if (records.length === 0) continue;
      delivered += records.length;
      const messageIds = records.map((record) => record.messageId);
      const failed = failuresOf(await invoke(settings.functionKey, { Records: records }), settings.reportBatchItemFailures, messageIds);
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
  /** Retries of a failing batch before it is given up; -1 retries until it succeeds, as Lambda's default. @default -1 */
  readonly maximumRetryAttempts?: number;
  /** Where a batch given up goes, as Lambda's on-failure destination does (a record of it, not the data). */
  readonly onFailure?: LocalQueue;
}

const RETRY_FOREVER = -1;

/**
 * Lambda's DynamoDB stream event source, in order per shard: a batch that fails (from the first
 * record named in `batchItemFailures`, or whole when the function throws) is retried from that
 * record; after `maximumRetryAttempts` it goes to the on-failure destination and reading moves on.
 */
export function streamPoller(settings: StreamMappingSettings, invoke: Invoke): Poll {
  /** Records read and not yet done with, each with its shard, in the order read. */
  let pending: { readonly shardId: string; readonly record: LambdaStreamRecord }[] = [];
  let attempts = 0;
  const keep = (record: LambdaStreamRecord) => matchesAny(settings.filterPatterns, record);
  return async () => {
    for (const { shardId, records } of await settings.reader.read()) {
      pending.push(...records.filter(keep).map((record) => ({ shardId, record })));
    }
    let delivered = 0;
    while (pending.length > 0) {
      // A batch holds records of one shard, as Lambda's batches do.
      const { shardId } = pending[0];
      const otherShard = pending.findIndex((item) => item.shardId !== shardId);
      const batch = pending.slice(0, Math.min(settings.batchSize, otherShard < 0 ? pending.length : otherShard)).map((item) => item.record);
      delivered += batch.length;
      const sequenceNumbers = batch.map((record) => record.dynamodb.SequenceNumber);
      const failed = failuresOf(await invoke(settings.functionKey, { Records: batch }), settings.reportBatchItemFailures, sequenceNumbers);
      const firstFailed = failed === 'all' ? 0 : batch.findIndex((record) => failed.has(record.dynamodb.SequenceNumber));
      if (firstFailed < 0) {
        pending = pending.slice(batch.length);
        attempts = 0;
        continue;
      }
      pending = pending.slice(firstFailed);
      attempts += 1;
      const retries = settings.maximumRetryAttempts ?? RETRY_FOREVER;
      // Retrying forever: try again on the next poll, so that settle() can tell a batch that never succeeds.
      if (retries === RETRY_FOREVER) return delivered;
      if (attempts <= retries) continue;
      const givenUp = batch.slice(firstFailed);
      settings.onFailure?.send(JSON.stringify({
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: attempts },
        DDBStreamBatchInfo: {
          shardId, startSequenceNumber: givenUp[0].dynamodb.SequenceNumber,
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
