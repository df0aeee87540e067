import type { AnyCustomProjection, CustomWriteContext } from './define-custom-projection';
import type { EventEnvelope } from './envelope';
import type { ProjectorDeps } from './projector';
import { parseQueueMessage, type BatchResponse, type QueueMessage } from './queue-message';

const describe = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/**
 * Runs a custom projection's handlers on one SQS batch: per aggregate in version order, each
 * version once; a handler that throws fails its message and the later ones of that aggregate.
 */
export async function projectCustomWrites(projection: AnyCustomProjection, messages: readonly QueueMessage[], deps: ProjectorDeps): Promise<BatchResponse> {
  const log = deps.log ?? ((entry: Record<string, unknown>) => console.error(JSON.stringify(entry)));
  const failed = new Set<string>();
  const byAggregate = new Map<string, { messageId: string; event: EventEnvelope }[]>();
  for (const parsed of messages.map(parseQueueMessage)) {
    if (!parsed.ok) {
      log({ message: `Projection ${deps.projectionName}: message ${parsed.messageId} is malformed: ${parsed.reason}.`, messageId: parsed.messageId });
      failed.add(parsed.messageId);
    } else if (deps.aggregateName === undefined || parsed.event.aggregateName === deps.aggregateName) {
      byAggregate.set(parsed.event.aggregateId, [...(byAggregate.get(parsed.event.aggregateId) ?? []), parsed]);
    }
  }
  const context: CustomWriteContext = { readModelTable: deps.readModelTable, projectionName: deps.projectionName, dynamoDb: deps.dynamoDb };
  await Promise.all([...byAggregate.values()].map(async (delivered) => {
    const inOrder = [...delivered].sort((a, b) => a.event.version - b.event.version);
    const handled = new Set<number>();
    for (const { event } of inOrder) {
      if (handled.has(event.version)) continue;
      try {
        await projection.events[event.type]?.(event, context);
        handled.add(event.version);
      } catch (err) {
        log({ message: `Projection ${deps.projectionName}: the handler of ${event.aggregateId} version ${event.version} threw; that message and the later ones of ${event.aggregateId} will be redelivered. ${describe(err)}`, aggregateId: event.aggregateId, version: event.version });
        for (const d of inOrder) if (d.event.version >= event.version) failed.add(d.messageId);
        return;
      }
    }
  }));
  return { batchItemFailures: messages.filter((m) => failed.has(m.messageId)).map((m) => ({ itemIdentifier: m.messageId })) };
}
