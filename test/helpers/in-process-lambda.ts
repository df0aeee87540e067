import type { LambdaInvoker } from '../../lambda/shared/function-invoker';

/**
 * A Lambda client that runs a handler in this process, JSON both ways as Invoke does: the
 * transport only, for testing a client against the real handler. A thrown error is answered as
 * Lambda answers a function error (`FunctionError: 'Unhandled'`, `{ errorType, errorMessage }`).
 */
export function inProcessLambda(handler: (event: unknown) => Promise<unknown>): LambdaInvoker {
  return {
    send: async (command: object) => {
      const input = (command as { input: { Payload: Uint8Array } }).input;
      try {
        const answer = await handler(JSON.parse(new TextDecoder().decode(input.Payload)));
        return { Payload: new TextEncoder().encode(JSON.stringify(answer ?? null)) };
      } catch (error) {
        const { name, message } = error as Error;
        return { FunctionError: 'Unhandled', Payload: new TextEncoder().encode(JSON.stringify({ errorType: name, errorMessage: message })) };
      }
    },
  };
}
