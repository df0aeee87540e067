// How the benches and the tests count DynamoDB requests: SDK middleware on the client, so a request counts
// whatever code sends it (the document client and the runtime's own commands go through it).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface RequestCounter {
  /** Requests by operation (`GetItem`, `PutItem`, ...). */
  readonly byOperation: Map<string, number>;
  readonly total: () => number;
  readonly clear: () => void;
  /** `GetItem 1.00, PutItem 0.98`: each operation's requests per `per`. */
  readonly describe: (per: number, digits?: number) => string;
}

/** Counts the requests `client` sends from now on, by operation. */
export function countRequests(client: DynamoDBClient): RequestCounter {
  const byOperation = new Map<string, number>();
  client.middlewareStack.add((next, context) => async (args) => {
    const name = (context.commandName ?? '?').replace(/Command$/, '');
    byOperation.set(name, (byOperation.get(name) ?? 0) + 1);
    return next(args);
  }, { step: 'initialize', name: 'countRequests' });
  return {
    byOperation,
    total: () => [...byOperation.values()].reduce((sum, n) => sum + n, 0),
    clear: () => byOperation.clear(),
    describe: (per, digits = 2) => [...byOperation.entries()].map(([name, n]) => `${name} ${(n / per).toFixed(digits)}`).join(', '),
  };
}

/** Records the name of each command `client` sends from now on, in order (`PutItemCommand`, ...). */
export function recordCommands(client: DynamoDBClient): string[] {
  const names: string[] = [];
  client.middlewareStack.add((next, context) => async (args) => {
    names.push(String(context.commandName));
    return next(args);
  }, { step: 'initialize', name: 'recordCommands' });
  return names;
}
