import { QueryCommand, ScanCommand, type DynamoDBDocumentClient, type QueryCommandOutput, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { EVENT_STORE } from '../../lib/private/runtime-contract';
import { fromEventItem } from '../store/event-store';
import { envelopeToPublishable, publishInOrder, PUT_EVENTS_LIMITS, type Publishable, type PublisherDeps } from './publish-events';

const { partitionKey: PK, sortKey: SK, kindAttribute: KIND, kinds: KINDS } = EVENT_STORE;

/** Which stored events to republish: those whose `metadata.occurredAt` is from..to (ISO 8601 UTC, inclusive). */
export interface TimeWindow {
  readonly from: string;
  readonly to: string;
}

/** An aggregate still to republish: its events with a sort key above `after` are still to go. */
export interface PendingAggregate {
  readonly aggregateId: string;
  readonly after: number;
}

export interface RepublishDeps extends PublisherDeps {
  readonly dynamoDb: DynamoDBDocumentClient;
  readonly eventStoreTable: string;
}

/** The filter of a read: event items only (no snapshots, no idempotency records), in the window if there is one. */
function eventFilter(window: TimeWindow | undefined) {
  return {
    FilterExpression: window ? '#kind = :event AND #metadata.#occurredAt BETWEEN :from AND :to' : '#kind = :event',
    names: { '#kind': KIND, ...(window ? { '#metadata': 'metadata', '#occurredAt': 'occurredAt' } : {}) },
    values: { ':event': KINDS.event, ...(window ? { ':from': window.from, ':to': window.to } : {}) },
  };
}

export interface ScanPage {
  /** The aggregates with events in the window on this page, in the order the Scan met them. */
  readonly aggregateIds: string[];
  /** Where the next page starts; undefined when the segment is done. */
  readonly next?: Record<string, unknown>;
}

/**
 * One page of a parallel Scan segment of the event store: the aggregates that have events in the
 * window. Strongly consistent, so an event stored before the request is found.
 */
export async function scanForAggregates(deps: RepublishDeps, window: TimeWindow, segment: { readonly segment: number; readonly totalSegments: number }, startKey: Record<string, unknown> | undefined, pageSize: number): Promise<ScanPage> {
  const filter = eventFilter(window);
  const page: ScanCommandOutput = await deps.dynamoDb.send(new ScanCommand({
    TableName: deps.eventStoreTable,
    Segment: segment.segment,
    TotalSegments: segment.totalSegments,
    ProjectionExpression: '#pk',
    FilterExpression: filter.FilterExpression,
    ExpressionAttributeNames: { '#pk': PK, ...filter.names },
    ExpressionAttributeValues: filter.values,
    ConsistentRead: true,
    ExclusiveStartKey: startKey,
    Limit: pageSize,
  }));
  const aggregateIds = [...new Set((page.Items ?? []).map((item) => item[PK] as string))];
  return { aggregateIds, ...(page.LastEvaluatedKey ? { next: page.LastEvaluatedKey } : {}) };
}

/** The next page of an aggregate's events after `after`, oldest first (a strongly consistent Query), and where it stopped. */
async function readNextEvents(deps: RepublishDeps, window: TimeWindow | undefined, pending: PendingAggregate, pageSize: number) {
  const filter = eventFilter(window);
  const page: QueryCommandOutput = await deps.dynamoDb.send(new QueryCommand({
    TableName: deps.eventStoreTable,
    KeyConditionExpression: '#pk = :pk AND #sk > :after',
    FilterExpression: filter.FilterExpression,
    ExpressionAttributeNames: { '#pk': PK, '#sk': SK, ...filter.names },
    ExpressionAttributeValues: { ':pk': pending.aggregateId, ':after': pending.after, ...filter.values },
    ConsistentRead: true,
    Limit: pageSize,
  }));
  const events = (page.Items ?? []).map(fromEventItem);
  const next = page.LastEvaluatedKey?.[SK];
  return { events, next: typeof next === 'number' ? { aggregateId: pending.aggregateId, after: next } : undefined };
}

/**
 * Round robin over the aggregates' events (each list oldest first): A1 B1 C1 A2 B2..., so that a
 * PutEvents request (which holds one event per aggregate) can take up to 10 of them.
 */
export function interleave(lists: readonly Publishable[][]): Publishable[] {
  const longest = Math.max(0, ...lists.map((list) => list.length));
  return Array.from({ length: longest }, (_, i) => lists.flatMap((list) => (i < list.length ? [list[i]] : []))).flat();
}

export interface StepResult {
  /** Events put on the bus. */
  readonly published: number;
  /** Those of the group with events left, and where they stopped. */
  readonly unfinished: PendingAggregate[];
}

/** Thrown when the bus keeps refusing an event: the invocation fails, and its retry starts over from its request. */
export class RepublishFailed extends Error {
  constructor(readonly aggregateId: string, readonly version: number, readonly errorCode: string) {
    super(`cdk-cqrs: republishing ${aggregateId} version ${version} failed after the publisher's retries (${errorCode}).`);
    this.name = 'RepublishFailed';
  }
}

/**
 * Republishes the next page of events of up to 10 aggregates, each in version order, through the
 * outbox's own `publishInOrder` (so a request holds one event per aggregate, 10 entries and
 * 256 KB at most). A page goes only after the group's previous page was all accepted.
 */
export async function republishStep(deps: RepublishDeps, window: TimeWindow | undefined, group: readonly PendingAggregate[], pageSize: number): Promise<StepResult> {
  if (group.length > PUT_EVENTS_LIMITS.maxEntries) throw new Error(`cdk-cqrs: a republish step takes at most ${PUT_EVENTS_LIMITS.maxEntries} aggregates.`);
  const pages = await Promise.all(group.map((pending) => readNextEvents(deps, window, pending, pageSize)));
  const items = interleave(pages.map((page) => page.events.map((event) => envelopeToPublishable(event, deps))));
  const failure = await publishInOrder(items, deps);
  if (failure) {
    const item = items[failure.index];
    throw new RepublishFailed(item.aggregateId, item.version, failure.errorCode);
  }
  return { published: items.length, unfinished: pages.flatMap((page) => (page.next ? [page.next] : [])) };
}
