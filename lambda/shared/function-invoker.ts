import { fromErrorAnswer, isErrorAnswer } from './error-answer';

/** The part of a Lambda client the clients use (an `@aws-sdk/client-lambda` LambdaClient fits). */
export interface LambdaInvoker {
  send(command: object): Promise<{ Payload?: Uint8Array; FunctionError?: string }>;
}

/**
 * Which of an aggregate's functions a client invokes: `{ aggregateName }` in a function given
 * `aggregate.connect(fn)` (the name is read from the environment it sets), or `{ functionName }`
 * (a name or ARN), never both.
 */
export type AggregateFunctionProps = ({
  /** The aggregate's name, as given to CqrsAggregate: the function's name is read from the environment `connect` sets. */
  readonly aggregateName: string;
  readonly functionName?: never;
} | {
  /** Name or ARN of the function. */
  readonly functionName: string;
  readonly aggregateName?: never;
}) & {
  /** @default - a LambdaClient for the current region */
  readonly lambda?: LambdaInvoker;
};

/**
 * Invokes one of the aggregate's functions (its command or query function) synchronously, with a
 * request as JSON, and answers its JSON answer. A rejection the function answers (`{ error }`) is
 * thrown as its typed error; a function error (a fault: the handler threw, timed out) as an
 * Error that names the function. The command client and the query client share it.
 */
export class FunctionInvoker {
  private lambda?: LambdaInvoker;

  constructor(
    /** Name or ARN of the function. */
    private readonly functionName: string,
    /** What the function is, for the message of a fault: `Command function`, `Query function`. */
    private readonly what: string,
    /** @default - a LambdaClient for the current region, created on first use */
    lambda?: LambdaInvoker,
  ) {
    this.lambda = lambda;
  }

  async invoke(request: unknown): Promise<unknown> {
    // Loaded on first use: a module that only imports the client must not need the AWS SDK installed.
    const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
    this.lambda ??= new LambdaClient({});
    const output = await this.lambda.send(new InvokeCommand({
      FunctionName: this.functionName,
      Payload: new TextEncoder().encode(JSON.stringify(request)),
    }));
    const text = output.Payload ? new TextDecoder().decode(output.Payload) : '';
    // Lambda answers `null` for a handler that returns nothing.
    const answer: unknown = text.trim() === '' ? null : JSON.parse(text);
    if (output.FunctionError) {
      const message = typeof answer === 'object' && answer !== null && 'errorMessage' in answer ? String(answer.errorMessage) : text;
      throw new Error(`${this.what} ${this.functionName} failed: ${message}`);
    }
    if (isErrorAnswer(answer)) throw fromErrorAnswer(answer);
    return answer;
  }
}
