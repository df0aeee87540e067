import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventEnvelope } from '../shared/envelope';
import type { BatchResponse } from '../shared/batch-response';
import { parseQueueMessage, type QueueMessage } from './queue-message';

/** One event as delivered, with the SQS message it came in. */
export interface Delivered {
  readonly messageId: string;
  readonly event: EventEnvelope;
}

export type ProjectorLog = (entry: Record<string, unknown>) => void;

/** What every projector needs; the Lambda entry point builds it from its environment. */
export interface BatchDeps {
  readonly dynamoDb: DynamoDBDocumentClient;
  readonly readModelTable: string;
  readonly projectionName: string;
  /** When set, events of another aggregate are ignored (their messages succeed, nothing is written). */
  readonly aggregateName?: string;
  /** Where failures are reported. @default - one JSON line on stderr per failure */
  readonly log?: ProjectorLog;
}

/** The default log of a projector: one JSON line on stderr per failure. */
export const logToStderr: ProjectorLog = (entry) => console.error(JSON.stringify(entry));

/**
 * Parses a batch and groups its events per aggregate (by `keyOf`: the aggregate id, for a
 * projection of one aggregate). A malformed message is logged and listed in `failed`; with
 * `aggregateName` set, events of another aggregate are left out (they succeed).
 */
export function groupByAggregate(
  messages: readonly QueueMessage[], settings: { readonly projectionName: string; readonly aggregateName?: string }, log: ProjectorLog,
  keyOf: (event: EventEnvelope) => string = (event) => event.aggregateId,
): { readonly failed: Set<string>; readonly byAggregate: Map<string, Delivered[]> } {
  const failed = new Set<string>();
  const byAggregate = new Map<string, Delivered[]>();
  for (const parsed of messages.map(parseQueueMessage)) {
    if (!parsed.ok) {
      log({ message: `Projection ${settings.projectionName}: message ${parsed.messageId} is malformed: ${parsed.reason}.`, messageId: parsed.messageId });
      failed.add(parsed.messageId);
    } else if (settings.aggregateName === undefined || parsed.event.aggregateName === settings.aggregateName) {
      const key = keyOf(parsed.event);
      const group = byAggregate.get(key) ?? [];
      group.push(parsed);
      byAggregate.set(key, group);
    }
  }
  return { failed, byAggregate };
}

/** The partial batch response: the failed messages, in the batch's order. */
export const toBatchResponse = (messages: readonly QueueMessage[], failed: ReadonlySet<string>): BatchResponse =>
  ({ batchItemFailures: messages.filter((m) => failed.has(m.messageId)).map((m) => ({ itemIdentifier: m.messageId })) });
