import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describeError } from '../shared/guards';
import type { AnyProjection } from './define-projection';
import { EventStore } from '../store/event-store';
import { eventsThrough, foldProjection, uniqueByVersion, type ProjectedDocument } from './projection-fold';
import { groupByAggregate, logToStderr, toBatchResponse, type BatchDeps, type Delivered } from './projector-batch';
import type { BatchResponse } from '../shared/batch-response';
import type { QueueMessage } from './queue-message';
import { documentKey, fromReadModelItem, projectorWriteCondition, toReadModelItem } from '../store/read-model-item';
import { projectionCode } from './projection-code';

/** What the projector needs; the Lambda entry point builds it from its environment. */
export interface ProjectorDeps extends BatchDeps {
  /** The event store, read to fill gaps. */
  readonly eventStoreTable: string;
}

/**
 * Projects one SQS batch (ReportBatchItemFailures) so that the read model equals the sequential
 * fold of each aggregate's events, whatever the duplicates and the order of delivery.
 *
 * Messages are grouped per aggregate: one consistent read of its document, the events after its
 * version applied in order (a gap is filled from the event store), one conditional write; a
 * document that other projection code built is folded again from event 1 instead. A
 * malformed message, a throwing handler or a failed write fails only its own messages (for a
 * handler, the message and the later events of that aggregate); the rest of the batch commits.
 */
export async function projectMessages(projection: AnyProjection, messages: readonly QueueMessage[], deps: ProjectorDeps): Promise<BatchResponse> {
  const log = deps.log ?? logToStderr;
  const { failed, byAggregate } = groupByAggregate(messages, deps, log);
  const store = new EventStore(deps.dynamoDb, deps.eventStoreTable, 0);
  await Promise.all([...byAggregate].map(async ([aggregateId, delivered]) => {
    try {
      for (const messageId of await projectAggregate(projection, aggregateId, delivered, store, deps)) failed.add(messageId);
    } catch (err) {
      log({ message: `Projection ${deps.projectionName}: ${aggregateId} not projected; its messages will be redelivered. ${describeError(err)}`, aggregateId });
      for (const { messageId } of delivered) failed.add(messageId);
    }
  }));
  return toBatchResponse(messages, failed);
}

/**
 * Projects one aggregate's messages; returns the ids of those that failed (a throwing handler).
 *
 * A document of this code is extended with the delivered events after its version. A document
 * that other code built (or no recorded code: written before code versions) is never extended:
 * the aggregate is folded again from event 1 with this code, at least to the document's version,
 * even when every delivered event is a duplicate, so that a deploy's new code takes the document
 * over at its first touch. Either way the write is conditional on the version and code read.
 */
async function projectAggregate(
  projection: AnyProjection, aggregateId: string, delivered: readonly Delivered[], store: EventStore, deps: ProjectorDeps,
): Promise<string[]> {
  const { Item } = await deps.dynamoDb.send(new GetCommand({
    TableName: deps.readModelTable, Key: documentKey(aggregateId, deps.projectionName), ConsistentRead: true,
  }));
  const stored = fromReadModelItem(Item);
  const code = projectionCode(projection);
  const refold = stored !== undefined && stored.code !== code;
  const storedVersion = stored?.version ?? 0;
  const unique = uniqueByVersion(delivered.map((d) => d.event));
  const pending = unique.filter((event) => event.version > storedVersion);
  if (!refold && pending.length === 0) return [];
  const start: ProjectedDocument = refold || !stored ? { version: 0, view: undefined } : stored;
  const target = Math.max(storedVersion, pending.length > 0 ? pending[pending.length - 1].version : 0);
  const events = await eventsThrough(store, aggregateId, start.version, target, refold ? unique : pending);
  const { document, failure } = foldProjection(projection, start, events);
  if (failure) {
    (deps.log ?? logToStderr)({
      message: `Projection ${deps.projectionName}: the handler of ${aggregateId} version ${failure.version} threw; that message and the later ones of ${aggregateId} will be redelivered. ${describeError(failure.error)}`,
      aggregateId, version: failure.version,
    });
  }
  // A fold again that stops short of the stored version (a handler threw) is not written: it would move the document back.
  if (refold ? document.version >= storedVersion : document.version > storedVersion) {
    await deps.dynamoDb.send(new PutCommand({
      TableName: deps.readModelTable,
      Item: toReadModelItem(projection, deps.projectionName, aggregateId, { ...document, code }),
      ...projectorWriteCondition(stored),
    }));
  }
  const failedFrom = failure?.version ?? Number.POSITIVE_INFINITY;
  return delivered.filter((d) => d.event.version >= failedFrom).map((d) => d.messageId);
}
