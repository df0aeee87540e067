import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoDb } from './dynamodb-client';

/** A fault to inject into one DynamoDB call, by its command name (`PutItemCommand`, `TransactWriteItemsCommand`...; `*` for any). */
export type Fault = 'lose-answer' | 'throttle';

/**
 * A client of the test run's DynamoDB Local whose calls can be made to fail, once per fault queued:
 * - `lose-answer`: the request reaches DynamoDB and is applied, then its answer is lost as in a
 *   connection reset, so the SDK retries it (as it does in AWS);
 * - `throttle`: the request is refused before it reaches DynamoDB with a throttling error that the
 *   SDK does not retry, so the caller sees a fault and nothing is written.
 * SDK middleware only injects faults: every call still goes to the real engine.
 */
export function faultyDynamoDb(): {
  client: DynamoDBClient; inject: (commands: string | readonly string[], fault: Fault) => void; clear: () => void; calls: string[]; attempts: string[];
} {
  const client = localDynamoDb();
  const pending: { commands: readonly string[]; fault: Fault }[] = [];
  const calls: string[] = [];
  // Each try that reached DynamoDB, the SDK's retries included.
  const attempts: string[] = [];
  const take = (command: string, fault: Fault): boolean => {
    const index = pending.findIndex((p) => p.fault === fault && (p.commands.includes(command) || p.commands.includes('*')));
    if (index >= 0) pending.splice(index, 1);
    return index >= 0;
  };
  client.middlewareStack.add((next, context) => async (args) => {
    calls.push(String(context.commandName));
    if (take(String(context.commandName), 'throttle')) {
      throw Object.assign(new Error('Rate of requests exceeds the allowed throughput (injected).'), {
        name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 }, $retryable: undefined,
      });
    }
    return next(args);
  }, { step: 'initialize', name: 'injectThrottle' });
  client.middlewareStack.add((next, context) => async (args) => {
    const result = await next(args);
    attempts.push(String(context.commandName));
    if (take(String(context.commandName), 'lose-answer')) {
      throw Object.assign(new Error('socket hang up (injected after DynamoDB applied the request)'), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: {} });
    }
    return result;
  }, { step: 'deserialize', name: 'injectLostAnswer' });
  return {
    client,
    inject: (commands, fault) => pending.push({ commands: typeof commands === 'string' ? [commands] : commands, fault }),
    clear: () => { pending.length = 0; },
    calls,
    attempts,
  };
}
