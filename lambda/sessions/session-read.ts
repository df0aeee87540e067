import type { DynamoDBDocumentClient, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { SESSION_TABLE } from '../../lib/private/runtime-contract';
import type { AnyProjection } from '../projection/define-projection';
import type { EventEnvelope } from '../shared/envelope';
import type { EventStore } from '../store/event-store';
import { eventsThrough, foldProjection, uniqueByVersion, type ProjectedDocument } from '../projection/projection-fold';
import { projectionCode } from '../projection/projection-code';
import { sessionEntryPrefix, type SessionReadSettings } from '../store/session-entry';

export interface SessionEntryItem {
  readonly aggregateId: string;
  readonly firstVersion: number;
  readonly version: number;
  readonly events?: EventEnvelope[];
  readonly [SESSION_TABLE.ttlAttribute]?: number;
}

/**
 * The session's live entries for one aggregate (or, without `aggregateId`, for every aggregate
 * of the kind), oldest first per aggregate: one Query of the session partition (a request per 1 MB page).
 */
export async function readSessionEntries(
  client: DynamoDBDocumentClient, settings: SessionReadSettings, sessionId: string, aggregateId?: string, nowMs = Date.now(),
): Promise<SessionEntryItem[]> {
  // Loaded on use, as the Repository does: importing cdk-cqrs/runtime must not need the SDK.
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  // A page holds 1 MB and an entry up to 300 KB: read every page, or the newest entries would be missed.
  const items: SessionEntryItem[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await client.send(new QueryCommand({
      TableName: settings.sessionTable,
      KeyConditionExpression: '#pk = :session AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': SESSION_TABLE.partitionKey, '#sk': SESSION_TABLE.sortKey },
      ExpressionAttributeValues: {
        ':session': sessionId,
        ':prefix': aggregateId === undefined ? `${settings.aggregateName}#` : sessionEntryPrefix(settings.aggregateName, aggregateId),
      },
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    }));
    items.push(...((page.Items ?? []) as SessionEntryItem[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  // DynamoDB deletes expired items late (up to days): an entry past its TTL is ignored here.
  const nowSeconds = Math.floor(nowMs / 1000);
  return items.filter((entry) => (entry[SESSION_TABLE.ttlAttribute] ?? Number.POSITIVE_INFINITY) > nowSeconds);
}

/**
 * The document the projector will write once it has applied the session's entries: the entries
 * above the document's version are folded onto it with the projection's own handlers. Events
 * an entry does not hold (it kept only its versions, or other writers' commands came between)
 * are read from the event store, strongly consistent.
 *
 * A stored document that other projection code built (or no recorded code) is not extended, as
 * the projector will not extend it: the aggregate is folded from event 1, which takes one event
 * store read more only in that case (none when the entries hold every event from version 1).
 */
export async function mergeSessionEntries(
  projection: AnyProjection, document: ProjectedDocument, entries: readonly SessionEntryItem[], aggregateId: string, store: EventStore,
): Promise<ProjectedDocument> {
  // The keys keep aggregates apart; the merge checks it too, so no entry of another aggregate is ever applied.
  const own = entries.filter((entry) => entry.aggregateId === aggregateId);
  const newer = own.filter((entry) => entry.version > document.version);
  if (newer.length === 0) return document;
  const target = Math.max(...newer.map((entry) => entry.version));
  // No document (version 0) needs no case of its own: whether it counts as this code's or as other code's, the
  // base is the empty document at version 0, and the fold runs from event 1 either way.
  const refold = document.code !== projectionCode(projection);
  const base: ProjectedDocument = refold ? { version: 0, view: undefined } : document;
  // An entry holds every event of its command, some of which the base may have; none is past the target.
  const held = uniqueByVersion((refold ? own : newer).flatMap((entry) => entry.events ?? [])).filter((event) => event.version > base.version);
  const events = await eventsThrough(store, aggregateId, base.version, target, held);
  const { document: merged, failure } = foldProjection(projection, base, events);
  if (failure) throw failure.error;
  return merged;
}
