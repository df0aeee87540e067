import { describeError } from '../shared/guards';
import type { AnyProjection } from './define-projection';
import { EventStore } from '../store/event-store';
import { eventsThrough, foldProjection, uniqueByVersion, type FoldOutcome, type ProjectedDocument } from './projection-fold';
import { groupByAggregate, logToStderr, toBatchResponse, type BatchDeps, type Delivered, type ProjectorLog } from './projector-batch';
import type { BatchResponse } from '../shared/batch-response';
import type { QueueMessage } from './queue-message';
import { projectorWriteCondition, toReadModelItem } from '../store/read-model-item';
import { readDocuments } from '../store/read-documents';
import { writeDocuments, type DocumentWrite } from '../store/write-documents';
import { projectionCode } from './projection-code';

/** What the projector needs; the Lambda entry point builds it from its environment. */
export interface ProjectorDeps extends BatchDeps {
  /** The event store, read to fill gaps. */
  readonly eventStoreTable: string;
}

/**
 * How many times a batch reads and projects an aggregate whose write met another writer's (the
 * document changed between the read and the write): once more, on what is stored then, before
 * its messages fail and come back.
 */
const TRIES = 2;

/**
 * Projects one SQS batch (ReportBatchItemFailures) so that the read model equals the sequential
 * fold of each aggregate's events, whatever the duplicates and the order of delivery.
 *
 * Messages are grouped per aggregate. The batch's documents are read in one consistent
 * BatchGetItem; per aggregate, the events after the document's version are applied in order (a
 * gap is filled from the event store), or a document that other projection code built is folded
 * again from event 1; the documents are written in one TransactWriteItems (`writeDocuments`),
 * each on the condition of the version and code it was read at. An aggregate whose condition
 * failed (another projector wrote it meanwhile) is read and projected again, once. A malformed
 * message, a throwing handler, a gap the event store cannot fill or a write that did not land
 * fails only its own aggregate's messages (for a handler, the message and the later events of
 * that aggregate); the rest of the batch commits.
 */
export async function projectMessages(projection: AnyProjection, messages: readonly QueueMessage[], deps: ProjectorDeps): Promise<BatchResponse> {
  const log = deps.log ?? logToStderr;
  const { failed, byAggregate } = groupByAggregate(messages, deps, log);
  const store = new EventStore(deps.dynamoDb, deps.eventStoreTable, 0);
  const batch: Batch = {
    projection, deps, store, log, byAggregate,
    fail: (aggregateId, cause) => {
      log({ message: `Projection ${deps.projectionName}: ${aggregateId} not projected; its messages will be redelivered. ${cause}`, aggregateId });
      for (const { messageId } of byAggregate.get(aggregateId) ?? []) failed.add(messageId);
    },
    failMessages: (messageIds) => { for (const messageId of messageIds) failed.add(messageId); },
  };
  let pending = [...byAggregate.keys()];
  for (let tries = 1; pending.length > 0; tries += 1) {
    const conflicts = await projectAggregates(batch, pending);
    if (tries === TRIES) {
      for (const aggregateId of conflicts) batch.fail(aggregateId, `Another projector wrote its document between the read and the write, in each of ${TRIES} tries.`);
      break;
    }
    pending = conflicts;
  }
  return toBatchResponse(messages, failed);
}

/** One batch's state, shared by its tries. */
interface Batch {
  readonly projection: AnyProjection;
  readonly deps: ProjectorDeps;
  readonly store: EventStore;
  readonly log: ProjectorLog;
  readonly byAggregate: ReadonlyMap<string, readonly Delivered[]>;
  /** Fails every message of an aggregate, logging why. */
  readonly fail: (aggregateId: string, cause: string) => void;
  readonly failMessages: (messageIds: readonly string[]) => void;
}

/**
 * Reads, projects and writes some aggregates of the batch; returns those whose write met another
 * writer's (the caller reads them again). Every other outcome is settled here: written, or its
 * messages failed.
 */
async function projectAggregates(batch: Batch, aggregateIds: readonly string[]): Promise<string[]> {
  const { deps } = batch;
  let stored: Map<string, ProjectedDocument>;
  try {
    stored = await readDocuments(deps.dynamoDb, deps.readModelTable, deps.projectionName, aggregateIds);
  } catch (err) {
    for (const aggregateId of aggregateIds) batch.fail(aggregateId, describeError(err));
    return [];
  }
  const plans = (await Promise.all(aggregateIds.map(async (aggregateId) => {
    try {
      return [{ aggregateId, ...await planAggregate(batch, aggregateId, stored.get(aggregateId)) }];
    } catch (err) {
      batch.fail(aggregateId, describeError(err));
      return [];
    }
  }))).flat();
  const writing = plans.filter((plan) => plan.write !== undefined);
  const outcomes = await writeDocuments(deps.dynamoDb, deps.readModelTable, writing.map((plan) => plan.write as DocumentWrite));
  const outcomeOf = new Map(writing.map((plan, index) => [plan.aggregateId, outcomes[index]]));
  const conflicts: string[] = [];
  for (const { aggregateId, failure } of plans) {
    // No outcome: nothing was written for the aggregate, which is as good as written.
    const outcome = outcomeOf.get(aggregateId);
    if (outcome?.kind === 'conflict') conflicts.push(aggregateId);
    else if (outcome?.kind === 'fault') batch.fail(aggregateId, describeError(outcome.error));
    else if (failure) handlerFailed(batch, aggregateId, failure);
  }
  return conflicts;
}

/** A handler threw on an event: that message and the later ones of the aggregate fail, so that events are never applied out of order. */
function handlerFailed(batch: Batch, aggregateId: string, failure: NonNullable<FoldOutcome['failure']>): void {
  batch.log({
    message: `Projection ${batch.deps.projectionName}: the handler of ${aggregateId} version ${failure.version} threw; that message and the later ones of ${aggregateId} will be redelivered. ${describeError(failure.error)}`,
    aggregateId, version: failure.version,
  });
  batch.failMessages((batch.byAggregate.get(aggregateId) ?? []).filter((d) => d.event.version >= failure.version).map((d) => d.messageId));
}

/**
 * What to write for one aggregate, given its stored document: nothing, when every delivered event
 * is a duplicate of this code's document; else the fold, on the condition of the version and code
 * read; with the handler failure that stopped the fold, if one did.
 *
 * A document of this code is extended with the delivered events after its version. A document
 * that other code built (or no recorded code: written before code versions) is never extended:
 * the aggregate is folded again from event 1 with this code, at least to the document's version,
 * even when every delivered event is a duplicate, so that a deploy's new code takes the document
 * over at its first touch.
 */
async function planAggregate(
  batch: Batch, aggregateId: string, stored: ProjectedDocument | undefined,
): Promise<{ readonly write?: DocumentWrite; readonly failure?: FoldOutcome['failure'] }> {
  const { projection, deps } = batch;
  const code = projectionCode(projection);
  const refold = stored !== undefined && stored.code !== code;
  const storedVersion = stored?.version ?? 0;
  const unique = uniqueByVersion((batch.byAggregate.get(aggregateId) ?? []).map((d) => d.event));
  const pending = unique.filter((event) => event.version > storedVersion);
  if (!refold && pending.length === 0) return {};
  const start: ProjectedDocument = refold || !stored ? { version: 0, view: undefined } : stored;
  const target = Math.max(storedVersion, pending.length > 0 ? pending[pending.length - 1].version : 0);
  const events = await eventsThrough(batch.store, aggregateId, start.version, target, refold ? unique : pending);
  const { document, failure } = foldProjection(projection, start, events);
  // A fold again that stops short of the stored version (a handler threw) is not written: it would move the document back.
  const moves = refold ? document.version >= storedVersion : document.version > storedVersion;
  if (!moves) return { failure };
  return {
    write: { item: toReadModelItem(projection, deps.projectionName, aggregateId, { ...document, code }), condition: projectorWriteCondition(stored) },
    failure,
  };
}
