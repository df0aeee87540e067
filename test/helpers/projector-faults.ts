import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The faults a projector's DynamoDB calls meet, each injected by SDK middleware into a real call
 * to DynamoDB Local:
 * - `before`: an internal error before the request reaches DynamoDB (nothing applied);
 * - `after`: DynamoDB applied the request, then the answer is lost and the SDK does not retry, so
 *   the caller sees a fault for a write that landed;
 * - `lose-answer`: DynamoDB applied the request, the answer is lost as in a connection reset, and
 *   the SDK retries it (as it does in AWS): the retry must be harmless;
 * - `throttle`: a throttling error before the request reaches DynamoDB, not retried by the SDK;
 * - `unprocessed` (BatchGetItem): the answer leaves every other requested key, the first included,
 *   unprocessed, as a throttled table does;
 * - `cancel-one` / `conflict-one` (TransactWriteItems): the transaction is cancelled, before it
 *   reaches DynamoDB, with `ConditionalCheckFailed` / `TransactionConflict` for its last item
 *   and `None` for the others.
 */
export type ProjectorFaultKind = 'before' | 'after' | 'lose-answer' | 'throttle' | 'unprocessed' | 'cancel-one' | 'conflict-one';

export interface ProjectorFault {
  /** The n-th call (1-based, counted from the faults being set) of this command fails. */
  readonly commandName: 'BatchGetItemCommand' | 'TransactWriteItemsCommand' | 'PutItemCommand' | 'QueryCommand';
  readonly call: number;
  readonly kind: ProjectorFaultKind;
}

type Key = { readonly pk: unknown; readonly sk: unknown };
type Input = { TransactItems?: unknown[]; RequestItems?: Record<string, { Keys: Key[] }> };
type BatchGetOutput = { Responses?: Record<string, Key[]>; UnprocessedKeys?: Record<string, unknown> };

const injected = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${message} (injected)`), { name, $fault: 'client', $metadata: { httpStatusCode: 400 }, ...extra });

const cancelled = (items: number, code: 'ConditionalCheckFailed' | 'TransactionConflict') => injected('TransactionCanceledException', `Transaction cancelled: ${code} on the last item`, {
  CancellationReasons: Array.from({ length: items }, (_, index) => (index === items - 1 ? { Code: code, Message: 'injected' } : { Code: 'None' })),
});

/**
 * Adds the faults to `client`; `setFaults` arms them (each fires once) and restarts the call
 * counts; `fired` lists the faults that fired (`<command> <kind>`), so a test knows its fault hit.
 */
export function injectProjectorFaults(client: DynamoDBClient): { setFaults: (faults: readonly ProjectorFault[]) => void; fired: string[] } {
  const fired: string[] = [];
  let armed: ProjectorFault[] = [];
  let counts = new Map<string, number>();
  // Commands whose next answer is lost below the SDK's retries (one per armed fault).
  const losing: string[] = [];
  client.middlewareStack.add((next, context) => async (args) => {
    const name = String(context.commandName);
    const call = (counts.get(name) ?? 0) + 1;
    counts.set(name, call);
    const index = armed.findIndex((fault) => fault.commandName === name && fault.call === call);
    if (index < 0) return next(args);
    const [fault] = armed.splice(index, 1);
    if (fault.kind !== 'lose-answer') fired.push(`${name} ${fault.kind}`);
    const input = args.input as Input;
    switch (fault.kind) {
      case 'before': throw injected('InternalServerError', 'Internal server error');
      case 'throttle': throw injected('ThrottlingException', 'Rate of requests exceeds the allowed throughput');
      case 'cancel-one': throw cancelled(input.TransactItems?.length ?? 0, 'ConditionalCheckFailed');
      case 'conflict-one': throw cancelled(input.TransactItems?.length ?? 0, 'TransactionConflict');
      case 'after':
        await next(args);
        throw injected('TimeoutError', 'the answer was lost after DynamoDB applied the request');
      case 'lose-answer':
        losing.push(name);
        return next(args);
      case 'unprocessed': {
        // Here, above the document client's marshalling, keys and items are plain objects.
        const result = await next(args);
        const [[table, { Keys }]] = Object.entries(input.RequestItems ?? {});
        const held = Keys.filter((_, position) => position % 2 === 0);
        const output = result.output as BatchGetOutput;
        const isHeld = (item: Key) => held.some((key) => key.pk === item.pk && key.sk === item.sk);
        output.Responses = { ...output.Responses, [table]: (output.Responses?.[table] ?? []).filter((item) => !isHeld(item)) };
        output.UnprocessedKeys = { [table]: { Keys: held, ConsistentRead: true } };
        return result;
      }
    }
  }, { step: 'initialize', name: 'injectProjectorFaults' });
  // Below the SDK's retries: a lost answer here is retried, as a connection reset in AWS is.
  client.middlewareStack.add((next, context) => async (args) => {
    const result = await next(args);
    const index = losing.indexOf(String(context.commandName));
    if (index >= 0) {
      losing.splice(index, 1);
      fired.push(`${String(context.commandName)} lose-answer`);
      throw Object.assign(new Error('socket hang up (injected after DynamoDB applied the request)'), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: {} });
    }
    return result;
  }, { step: 'deserialize', name: 'injectLostAnswer' });
  return {
    fired,
    setFaults: (faults) => {
      armed = [...faults];
      counts = new Map();
    },
  };
}
