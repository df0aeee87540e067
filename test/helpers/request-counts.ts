import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Counts the requests a client sends, by operation; a request the SDK retries counts once. */
export function countRequests(client: DynamoDBClient): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add((next, context) => async (args) => {
    counts.set(context.commandName ?? '?', (counts.get(context.commandName ?? '?') ?? 0) + 1);
    return next(args);
  }, { step: 'initialize', name: 'countRequests' });
  return counts;
}
