import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EVENT_STORE } from '../../lib/private/runtime-contract';
import type { EventEnvelope } from '../shared/envelope';
import { describeError } from '../shared/guards';
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
  /** Where a batch that could not be published is reported. @default - one JSON line on stdout */
  readonly log?: (entry: Record<string, unknown>) => void;
}

/** The slice of a DynamoDB stream record the publisher reads (aws-lambda's DynamoDBRecord fits). */
export interface StreamRecord {
  readonly eventName?: string;
  readonly dynamodb?: { readonly SequenceNumber?: string; readonly NewImage?: Record<string, unknown> };
}

/** PutEvents takes at most 10 entries and 256 KB per request. */
export const PUT_EVENTS_LIMITS = { maxEntries: 10, maxBytes: 256 * 1024 } as const;

/** An event on its way to the bus: its entry, and the aggregate whose order it must keep. */
export interface Publishable {
  readonly aggregateId: string;
  readonly version: number;
  readonly entry: BusEntry;
}

/** Where `publishInOrder` stopped: the first item not accepted by the bus, and why. */
export interface PublishFailure {
  readonly index: number;
  readonly errorCode: string;
}

/** The size EventBridge counts for an entry (detail, detail-type and source), as the command handler sizes it. */
export const entrySize = (entry: BusEntry): number =>
  Buffer.byteLength(entry.Detail) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Source);

/** The bus entry of a stored event. */
export function envelopeToPublishable(envelope: EventEnvelope, deps: Pick<PublisherDeps, 'eventBusName' | 'source'>): Publishable {
  return {
    aggregateId: envelope.aggregateId,
    version: envelope.version,
    entry: { EventBusName: deps.eventBusName, Source: deps.source, DetailType: envelope.type, Detail: JSON.stringify(envelope) },
  };
}

function toPublishable(record: StreamRecord, deps: Pick<PublisherDeps, 'eventBusName' | 'source'>): Publishable | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (item[EVENT_STORE.kindAttribute] !== EVENT_STORE.kinds.event) return undefined;
  return envelopeToPublishable(fromEventItem(item), deps);
}

/** The bus entry of a stored event, or undefined for anything that is not a newly inserted event. */
export function toBusEntry(record: StreamRecord, deps: Pick<PublisherDeps, 'eventBusName' | 'source'>): BusEntry | undefined {
  return toPublishable(record, deps)?.entry;
}

/**
 * The next PutEvents request: the earliest pending event of each aggregate, in stream order, as
 * many as fit in 10 entries and 256 KB. PutEvents may accept some entries of a request and fail
 * others, and a failed entry is retried after the others were accepted; so a request holds one
 * event per aggregate, and an aggregate's next event goes only in a later request, once this one
 * is accepted. The events of different aggregates share requests, so a command's many events and
 * many aggregates' single events both fill them.
 *
 * @param pending indexes of the events not yet accepted, ascending
 */
export function nextRequest(items: readonly (Publishable | undefined)[], pending: Iterable<number>): number[] {
  const taken: number[] = [];
  // Aggregates whose earliest pending event was met: in the request, or left for a later one.
  const met = new Set<string>();
  let bytes = 0;
  for (const index of pending) {
    const item = items[index];
    if (!item || met.has(item.aggregateId)) continue;
    met.add(item.aggregateId);
    const size = entrySize(item.entry);
    if (taken.length > 0 && bytes + size > PUT_EVENTS_LIMITS.maxBytes) continue;
    taken.push(index);
    bytes += size;
    if (taken.length === PUT_EVENTS_LIMITS.maxEntries) break;
  }
  return taken;
}

/**
 * Puts the items on the bus, each aggregate's in the given order, in requests from
 * `nextRequest`, each retried per PUBLISH_RETRY_POLICY. Stops at the first request that keeps
 * failing, and answers the earliest item not accepted: every item before it was accepted, and
 * of each aggregate, only a prefix of its items was (items after it are sent again on a retry:
 * duplicates, never a later version before an earlier one).
 */
export async function publishInOrder(items: readonly (Publishable | undefined)[], deps: PublisherDeps): Promise<PublishFailure | undefined> {
  // A Set keeps insertion order, and items are only deleted: it stays ascending.
  const pending = new Set(items.flatMap((item, index) => (item ? [index] : [])));
  while (pending.size > 0) {
    const request = nextRequest(items, pending);
    const entries = request.map((index) => (items[index] as Publishable).entry);
    const failed = await putWithRetries(entries, deps);
    request.forEach((index, i) => { if (!failed.has(entries[i])) pending.delete(index); });
    if (failed.size > 0) {
      const [first] = pending;
      const entry = (items[first] as Publishable).entry;
      return { index: first, errorCode: failed.get(entry) ?? [...failed.values()][0] };
    }
  }
  return undefined;
}

const logToStdout = (entry: Record<string, unknown>): void => console.log(JSON.stringify(entry));

/**
 * Publishes stored events to the bus in record order; a failure stops the batch and reports the
 * first record not fully published, so the shard resumes there and per-aggregate order holds.
 */
export async function publishStreamRecords(records: readonly StreamRecord[], deps: PublisherDeps): Promise<BatchResponse> {
  const items = records.map((record) => toPublishable(record, deps));
  const failure = await publishInOrder(items, deps);
  if (!failure) return { batchItemFailures: [] };
  const sequenceNumber = records[failure.index].dynamodb?.SequenceNumber;
  if (!sequenceNumber) throw new Error('PutEvents failed for a stream record without a SequenceNumber.');
  const item = items[failure.index];
  (deps.log ?? logToStdout)({
    message: `PutEvents failed for ${item?.aggregateId} version ${item?.version} after ${PUBLISH_RETRY_POLICY.maxRetries} retries; the stream resumes at its record.`,
    aggregateId: item?.aggregateId, version: item?.version, errorCode: failure.errorCode, sequenceNumber,
  });
  return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
}

/** The entries still failed after the retries, each with its error code. */
async function putWithRetries(entries: readonly BusEntry[], deps: PublisherDeps): Promise<Map<BusEntry, string>> {
  let toSend = entries;
  let failed = new Map<BusEntry, string>();
  // Stryker disable next-line EqualityOperator: equivalent, toSend is never empty here (a request has an entry, a retry keeps the failed ones, and none failed returns)
  for (let attempt = 0; toSend.length > 0; attempt += 1) {
    failed = await putOnce(toSend, deps);
    if (failed.size === 0 || attempt >= PUBLISH_RETRY_POLICY.maxRetries) return failed;
    toSend = toSend.filter((entry) => failed.has(entry));
    await (deps.sleep ?? sleep)(backoffDelayMs(PUBLISH_RETRY_POLICY, attempt + 1));
  }
  return failed;
}

/** One PutEvents call: the entries it did not accept. */
async function putOnce(entries: readonly BusEntry[], deps: PublisherDeps): Promise<Map<BusEntry, string>> {
  let answer: PutEventsAnswer;
  try {
    answer = await deps.putEvents(entries);
  } catch (err) {
    // The call failed as a whole (after the SDK's own retries), maybe after the bus took the
    // entries: each is sent again, which is a duplicate at worst, never out of order.
    return new Map(entries.map((entry) => [entry, describeError(err)]));
  }
  // PutEvents answers 200 with per-entry failures: check every entry, not only the count.
  const failed = new Map<BusEntry, string>();
  entries.forEach((entry, i) => {
    const result = answer.Entries?.[i];
    if (result?.ErrorCode !== undefined || result?.EventId === undefined) failed.set(entry, result?.ErrorCode ?? 'NoEventId');
  });
  // A count with no entry to show for it: nothing tells which entries failed, so all go again.
  if (failed.size === 0 && answer.FailedEntryCount) return new Map(entries.map((entry) => [entry, 'FailedEntryCount']));
  return failed;
}
