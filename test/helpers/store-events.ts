import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { toEventItem } from '../../lambda/store/event-store';

/** Writes events into an event-store table as the command handler stores them (25 per BatchWriteItem). */
export async function storeEvents(doc: DynamoDBDocumentClient, tableName: string, events: readonly EventEnvelope[]): Promise<void> {
  for (let i = 0; i < events.length; i += 25) {
    let requests: Record<string, unknown>[] | undefined = events.slice(i, i + 25).map((event) => ({ PutRequest: { Item: toEventItem(event) } }));
    while (requests && requests.length > 0) {
      const answer = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = answer.UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined;
    }
  }
}

export interface FaultPlan {
  /** Fail the n-th call (1-based, counted from the plan being set) of this command... */
  readonly commandName: string;
  readonly call: number;
  /** ...before it reaches DynamoDB, or after DynamoDB applied it (the answer is lost). */
  readonly when: 'before' | 'after';
}

/** Counts the commands a client sends and, when a plan is set, injects one fault; DynamoDB itself is real. */
export function instrument(client: DynamoDBClient): { calls: string[]; setFault: (plan?: FaultPlan) => void } {
  const calls: string[] = [];
  let plan: FaultPlan | undefined;
  let seen = 0;
  client.middlewareStack.add((next, context) => async (args) => {
    const name = String(context.commandName);
    calls.push(name);
    const hit = plan !== undefined && name === plan.commandName && (seen += 1) === plan.call;
    if (hit && plan?.when === 'before') throw Object.assign(new Error('injected fault'), { name: 'InternalServerError' });
    const output = await next(args);
    if (hit) throw Object.assign(new Error('injected fault after the write'), { name: 'TimeoutError' });
    return output;
  }, { step: 'initialize', name: 'instrument' });
  return { calls, setFault: (next) => { plan = next; seen = 0; } };
}
