import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import type { QueueMessage } from '../../lambda/projection/queue-message';

/** An SQS message as the projection's rule delivers it: the EventBridge event, with the envelope as detail. */
export const queueMessage = (event: EventEnvelope, messageId: string = randomUUID()): QueueMessage => ({
  messageId,
  body: JSON.stringify({
    version: '0', id: randomUUID(), 'detail-type': event.type, source: `test.${event.aggregateName}`,
    account: '000000000000', time: event.metadata.occurredAt, region: 'us-east-1', resources: [], detail: event,
  }),
});

/** Stored envelopes for a list of (type, data), versions 1..n. */
export const envelopes = (aggregateName: string, aggregateId: string, events: readonly { type: string; data?: unknown }[], firstVersion = 1): EventEnvelope[] =>
  events.map((event, index) => ({
    aggregateName, aggregateId, version: firstVersion + index, type: event.type, data: event.data,
    metadata: { eventId: `${aggregateId}-${firstVersion + index}`, correlationId: aggregateId, occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, firstVersion + index)).toISOString(), schemaVersion: 1 },
  }));
