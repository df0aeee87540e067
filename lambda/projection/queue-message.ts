import type { EventEnvelope } from '../shared/envelope';
import { isRecord } from '../shared/guards';

/** The slice of an SQS record the projector reads (aws-lambda's SQSRecord fits). */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
}


export type ParsedMessage =
  | { readonly ok: true; readonly messageId: string; readonly event: EventEnvelope }
  | { readonly ok: false; readonly messageId: string; readonly reason: string };

/**
 * Reads the event envelope from a message: its body is the EventBridge event the rule
 * delivered, with the envelope as `detail`. A message that is not one is reported, not thrown,
 * so that it fails alone.
 */
export function parseQueueMessage(message: QueueMessage): ParsedMessage {
  const fail = (reason: string): ParsedMessage => ({ ok: false, messageId: message.messageId, reason });
  let body: unknown;
  try {
    body = JSON.parse(message.body);
  } catch {
    return fail('the body is not JSON');
  }
  if (!isRecord(body) || !isRecord(body.detail)) return fail('the body is not an EventBridge event with a detail object');
  const detail = body.detail;
  if (typeof detail.aggregateId !== 'string' || detail.aggregateId.length === 0) return fail('detail.aggregateId is not a non-empty string');
  if (typeof detail.version !== 'number' || !Number.isInteger(detail.version) || detail.version < 1) return fail('detail.version is not an integer >= 1');
  if (typeof detail.type !== 'string' || detail.type.length === 0) return fail('detail.type is not a non-empty string');
  if (typeof detail.aggregateName !== 'string') return fail('detail.aggregateName is not a string');
  if (!isRecord(detail.metadata)) return fail('detail.metadata is not an object');
  return { ok: true, messageId: message.messageId, event: detail as unknown as EventEnvelope };
}
