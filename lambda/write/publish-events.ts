import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EVENT_STORE } from '../../lib/private/runtime-contract';
import { fromEventItem } from '../store/event-store';
import type { BatchResponse } from '../shared/batch-response';
import { PUBLISH_RETRY_POLICY, backoffDelayMs, sleep } from '../shared/retry-policies';

/** One PutEvents request entry. */
export interface BusEntry {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
}

/** The part of a PutEvents answer the publisher reads: per-entry results, in request order. */
export interface PutEventsAnswer {
  readonly FailedEntryCount?: number;
  readonly Entries?: readonly { readonly EventId?: string; readonly ErrorCode?: string; readonly ErrorMessage?: string }[];
}

export interface PublisherDeps {
  readonly putEvents: (entries: readonly BusEntry[]) => Promise<PutEventsAnswer>;
  readonly eventBusName: string;
  readonly source: string;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The slice of a DynamoDB stream record the publisher reads (aws-lambda's DynamoDBRecord fits). */
export interface StreamRecord {
  readonly eventName?: string;
  readonly dynamodb?: { readonly SequenceNumber?: string; readonly NewImage?: Record<string, unknown> };
}

/** PutEvents takes at most 10 entries and 256 KB per request. */
export const PUT_EVENTS_LIMITS = { maxEntries: 10, maxBytes: 256 * 1024 } as const;

const entrySize = (entry: BusEntry): number =>
  Buffer.byteLength(entry.Detail) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Source);

/** The bus entry of a stored event, or undefined for anything that is not a newly inserted event. */
export function toBusEntry(record: StreamRecord, deps: Pick<PublisherDeps, 'eventBusName' | 'source'>): BusEntry | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item[EVENT_STORE.kindAttribute] !== EVENT_STORE.kinds.event) return undefined;
  const envelope = fromEventItem(item);
  return { EventBusName: deps.eventBusName, Source: deps.source, DetailType: envelope.type, Detail: JSON.stringify(envelope) };
}

/**
 * Publishes stored events to the bus in record order; a failure stops the batch and reports the
 * first record not fully published, so the shard resumes there and per-aggregate order holds.
 */
export async function publishStreamRecords(records: readonly StreamRecord[], deps: PublisherDeps): Promise<BatchResponse> {
  const pending = records.map((record) => ({ record, entry: toBusEntry(record, deps) }));
  let index = 0;
  while (index < pending.length) {
    const chunk: typeof pending = [];
    let bytes = 0;
    while (index < pending.length) {
      const next = pending[index];
      const size = next.entry ? entrySize(next.entry) : 0;
      const entries = chunk.filter((c) => c.entry).length;
      if (next.entry && (entries === PUT_EVENTS_LIMITS.maxEntries || (entries > 0 && bytes + size > PUT_EVENTS_LIMITS.maxBytes))) break;
      chunk.push(next);
      bytes += size;
      index += 1;
    }
    const failed = await putWithRetries(chunk.flatMap((c) => (c.entry ? [c.entry] : [])), deps);
    if (failed.size > 0) {
      const firstFailed = chunk.find((c) => c.entry && failed.has(c.entry));
      const sequenceNumber = firstFailed?.record.dynamodb?.SequenceNumber;
      if (!sequenceNumber) throw new Error('PutEvents failed for a stream record without a SequenceNumber.');
      return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
    }
  }
  return { batchItemFailures: [] };
}

async function putWithRetries(entries: readonly BusEntry[], deps: PublisherDeps): Promise<Set<BusEntry>> {
  let toSend = entries;
  for (let attempt = 0; toSend.length > 0; attempt += 1) {
    const answer = await deps.putEvents(toSend);
    // PutEvents answers 200 with per-entry failures: check every entry, not only the count.
    const failed = toSend.filter((_, i) => answer.Entries?.[i]?.ErrorCode !== undefined || answer.Entries?.[i]?.EventId === undefined);
    if (failed.length === 0 && !answer.FailedEntryCount) return new Set();
    if (attempt >= PUBLISH_RETRY_POLICY.maxRetries) return new Set(failed.length > 0 ? failed : toSend);
    toSend = failed.length > 0 ? failed : toSend;
    await (deps.sleep ?? sleep)(backoffDelayMs(PUBLISH_RETRY_POLICY, attempt + 1));
  }
  return new Set();
}
