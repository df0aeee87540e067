import type { LambdaInvoker } from '../shared/function-invoker';
import type { Invocation } from './function-host';

/** What the stand-in client needs from a local run: finding a function, and running it now or later. */
export interface LocalFunctions {
  /** The key of the one function a `FunctionName` (a name, a construct path, an ARN) points at; throws otherwise. */
  functionKey(functionName: string): string;
  /** Runs the function now. */
  invoke(key: string, payload: unknown): Promise<Invocation>;
  /** Queues an asynchronous invocation, for the run to make later (in `settle()`). */
  invokeLater(key: string, payload: unknown): void;
}

/**
 * A Lambda client that answers `InvokeCommand`s as Lambda does, from the functions of a local
 * run: it reads only `command.input`, so the `InvokeCommand` of `@aws-sdk/client-lambda` works
 * without a request ever being signed or sent. A synchronous invocation answers the function's
 * result, or its error with `FunctionError: 'Unhandled'`; one of type `Event` is answered 202 at
 * once and only queued, as Lambda does.
 */
export function localLambdaClient(functions: LocalFunctions): LambdaInvoker {
  return {
    send: async (command) => {
      const input = (command as { input?: { FunctionName?: string; Payload?: Uint8Array | string; InvocationType?: string } }).input ?? {};
      const text = typeof input.Payload === 'string' ? input.Payload : new TextDecoder().decode(input.Payload ?? new Uint8Array());
      const payload: unknown = text ? JSON.parse(text) : {};
      const key = functions.functionKey(String(input.FunctionName));
      if (input.InvocationType === 'Event') {
        functions.invokeLater(key, payload);
        return { StatusCode: 202 };
      }
      const invocation = await functions.invoke(key, payload);
      const answer = invocation.ok ? invocation.result : invocation.error;
      // A handler that returns nothing is answered `null`, as Lambda answers it.
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(answer ?? null)), FunctionError: invocation.ok ? undefined : 'Unhandled' };
    },
  };
}
