import { describeError, ownFunction } from '../shared/guards';
import { upcastEvent } from '../write/upcast';
import type { AnyCustomProjection, CustomWriteContext } from './define-custom-projection';
import { groupByAggregate, logToStderr, toBatchResponse, type BatchDeps } from './projector-batch';
import type { BatchResponse } from '../shared/batch-response';
import type { QueueMessage } from './queue-message';

/**
 * Runs a custom projection's handlers on one SQS batch: per aggregate in version order, each
 * version once; a handler that throws fails its message and the later ones of that aggregate.
 */
export async function projectCustomWrites(projection: AnyCustomProjection, messages: readonly QueueMessage[], deps: BatchDeps): Promise<BatchResponse> {
  const log = deps.log ?? logToStderr;
  const { failed, byAggregate } = groupByAggregate(messages, deps, log);
  const context: CustomWriteContext = { readModelTable: deps.readModelTable, projectionName: deps.projectionName, dynamoDb: deps.dynamoDb };
  await Promise.all([...byAggregate.values()].map(async (delivered) => {
    const inOrder = [...delivered].sort((a, b) => a.event.version - b.event.version);
    const handled = new Set<number>();
    for (const { event } of inOrder) {
      if (handled.has(event.version)) continue;
      try {
        // The stored event as today's code knows it (upcast, renamed or split): each part in turn.
        for (const current of upcastEvent(projection.aggregate?.upcasters, event)) await ownFunction(projection.events, current.type)?.(current, context);
        handled.add(event.version);
      } catch (err) {
        log({ message: `Projection ${deps.projectionName}: the handler of ${event.aggregateId} version ${event.version} threw; that message and the later ones of ${event.aggregateId} will be redelivered. ${describeError(err)}`, aggregateId: event.aggregateId, version: event.version });
        for (const d of inOrder) if (d.event.version >= event.version) failed.add(d.messageId);
        return;
      }
    }
  }));
  return toBatchResponse(messages, failed);
}
