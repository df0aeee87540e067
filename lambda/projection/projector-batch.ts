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

/**
 * Runs a batch with a log that keeps its first failure, and throws when every message failed.
 *
 * A batch that failed whole is the projector failing, not some messages: returned as batch item
 * failures, it would leave the function's Errors metric and alarm quiet while the read model is
 * unreachable (a missing permission, a throttled or deleted table). Powertools' batch processor
 * throws in that case too. SQS then makes every message of the batch visible again, as the
 * batch item failures would have.
 */
export async function failWhenAllFailed(
  deps: { readonly projectionName: string; readonly log?: ProjectorLog }, records: readonly QueueMessage[], run: (log: ProjectorLog) => Promise<BatchResponse>,
): Promise<BatchResponse> {
  const log = deps.log ?? logToStderr;
  let firstCause: unknown;
  const response = await run((entry) => {
    firstCause ??= entry.message;
    log(entry);
  });
  if (records.length > 0 && response.batchItemFailures.length === records.length) {
    throw new Error(`Projection ${deps.projectionName}: all ${records.length} messages of the batch failed; the first cause: ${String(firstCause ?? 'not logged')}`);
  }
  return response;
}
