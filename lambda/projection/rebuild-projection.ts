import { PutCommand, ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { EVENT_STORE, READ_MODEL } from '../../lib/private/runtime-contract';
import type { AnyProjection } from './define-projection';
import { EventStore } from '../store/event-store';
import { asWriteFailure } from '../store/write-failure';
import { foldProjection } from './projection-fold';
import type { ProjectorDeps } from './project-messages';
import { rebuildMayReplace, rebuildMayReplaceExisting, toReadModelItem } from '../store/read-model-item';
import { ownFunction } from '../shared/guards';
import { projectionCode } from './projection-code';

export type RebuildDeps = Pick<ProjectorDeps, 'dynamoDb' | 'readModelTable' | 'eventStoreTable' | 'projectionName'>;

/** Where each unfinished segment's Scan stopped (its LastEvaluatedKey), by segment number. */
export type RebuildPosition = { readonly [segment: number]: Record<string, unknown> };

export interface RebuildOptions {
  /** The Scan is split in this many segments (DynamoDB parallel scan). */
  readonly totalSegments: number;
  /** The segments this call scans, in parallel. @default - all of them */
  readonly segments?: readonly number[];
  /** Resume from a previous call's `resumeFrom`. */
  readonly resumeFrom?: RebuildPosition;
  /** Stop each segment after this many Scan pages; the result's `resumeFrom` continues it. @default - no limit */
  readonly maxPagesPerSegment?: number;
  /** Items read per Scan page (its Limit), to bound the read rate. @default - up to 1 MB per page */
  readonly pageSize?: number;
}

export interface RebuildResult {
  /** Aggregates folded. */
  readonly aggregates: number;
  /**
   * Documents written. The others were already this code's fold at this version or later (moved
   * on by the live projector, or a run before), or the aggregate has no event this projection handles.
   */
  readonly written: number;
  /** Present when some segment is unfinished: pass it back as `resumeFrom`. */
  readonly resumeFrom?: RebuildPosition;
}

/**
 * Rebuilds a projection's documents from the event store: a parallel Scan finds the aggregates,
 * and each one is folded from all its events (strongly consistent Query) and written unless its
 * document is already this code's fold at that version or a newer one. A document that other
 * code built is replaced, whatever its version: "newer" is not "right" after a code change. So
 * it can run while the live projector goes on, never moves a document of its own code back, and
 * running it again (or resuming it) changes nothing.
 */
export async function rebuildProjection(projection: AnyProjection, deps: RebuildDeps, options: RebuildOptions): Promise<RebuildResult> {
  const segments = options.segments ?? Array.from({ length: options.totalSegments }, (_, i) => i);
  const store = new EventStore(deps.dynamoDb, deps.eventStoreTable, 0);
  const results = await Promise.all(segments.map((segment) => rebuildSegment(projection, deps, store, options, segment)));
  const unfinished = results.filter((r) => r.resumeKey !== undefined);
  return {
    aggregates: results.reduce((sum, r) => sum + r.aggregates, 0),
    written: results.reduce((sum, r) => sum + r.written, 0),
    ...(unfinished.length > 0 ? { resumeFrom: Object.fromEntries(unfinished.map((r) => [r.segment, r.resumeKey as Record<string, unknown>])) } : {}),
  };
}

interface SegmentResult {
  readonly segment: number;
  readonly aggregates: number;
  readonly written: number;
  readonly resumeKey?: Record<string, unknown>;
}

async function rebuildSegment(projection: AnyProjection, deps: RebuildDeps, store: EventStore, options: RebuildOptions, segment: number): Promise<SegmentResult> {
  // An aggregate's items share a partition key, so they are all in this segment, though maybe over several pages.
  const done = new Set<string>();
  let written = 0;
  let startKey = options.resumeFrom?.[segment];
  for (let pages = 0; options.maxPagesPerSegment === undefined || pages < options.maxPagesPerSegment; pages += 1) {
    const page: ScanCommandOutput = await deps.dynamoDb.send(new ScanCommand({
      TableName: deps.eventStoreTable,
      Segment: segment,
      TotalSegments: options.totalSegments,
      ProjectionExpression: '#pk',
      FilterExpression: '#kind = :event',
      ExpressionAttributeNames: { '#pk': EVENT_STORE.partitionKey, '#kind': EVENT_STORE.kindAttribute },
      ExpressionAttributeValues: { ':event': EVENT_STORE.kinds.event },
      ExclusiveStartKey: startKey,
      Limit: options.pageSize,
    }));
    const fresh = [...new Set((page.Items ?? []).map((item) => item[EVENT_STORE.partitionKey] as string))].filter((id) => !done.has(id));
    for (const aggregateId of fresh) {
      done.add(aggregateId);
      if (await rebuildAggregate(projection, deps, store, aggregateId)) written += 1;
    }
    startKey = page.LastEvaluatedKey;
    if (!startKey) return { segment, aggregates: done.size, written };
  }
  return { segment, aggregates: done.size, written, resumeKey: startKey };
}

/**
 * Folds one aggregate from its first event with this code and writes it where the document is
 * absent, built by other code, or older (`rebuildMayReplace`); false when nothing was written.
 * When no event of the aggregate has a handler here, the fold is no document: it replaces only a
 * document that exists (other code built it), so the projection gets no tombstone for every
 * aggregate it never handled.
 */
async function rebuildAggregate(projection: AnyProjection, deps: RebuildDeps, store: EventStore, aggregateId: string): Promise<boolean> {
  const events = await store.readRange(aggregateId, 1, Number.MAX_SAFE_INTEGER);
  const { document, failure } = foldProjection(projection, { version: 0, view: undefined }, events);
  if (failure) {
    throw new Error(`Rebuild of ${deps.projectionName}: the handler of ${aggregateId} version ${failure.version} threw: ${String(failure.error)}`);
  }
  const handled = events.some((event) => typeof ownFunction(projection.events, event.type) === 'function');
  const code = projectionCode(projection);
  try {
    await deps.dynamoDb.send(new PutCommand({
      TableName: deps.readModelTable,
      Item: toReadModelItem(projection, deps.projectionName, aggregateId, { ...document, code }),
      ConditionExpression: handled ? rebuildMayReplace : rebuildMayReplaceExisting,
      ExpressionAttributeNames: { '#version': READ_MODEL.versionAttribute, '#code': READ_MODEL.codeAttribute },
      ExpressionAttributeValues: { ':version': document.version, ':code': code },
    }));
    return true;
  } catch (err) {
    if (asWriteFailure(err, 1)) return false;
    throw err;
  }
}
