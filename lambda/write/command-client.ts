import type { CommandResult } from '../shared/envelope';
import { fromErrorAnswer, isErrorAnswer } from '../shared/error-answer';

/** The part of a Lambda client the command client uses (an `@aws-sdk/client-lambda` LambdaClient fits). */
export interface LambdaInvoker {
  send(command: object): Promise<{ Payload?: Uint8Array; FunctionError?: string }>;
}

export interface CommandClientProps {
  /** Name or ARN of the aggregate's command handler function. */
  readonly functionName: string;
  /** @default - a LambdaClient for the current region */
  readonly lambda?: LambdaInvoker;
}

/**
 * Sends commands to an aggregate's command function; a rejected command is thrown as its typed error.
 *
 * `new CommandClient<CommandOf<typeof customer>>({ functionName })` types `send` by the aggregate's commands.
 */
export class CommandClient<Command = import('../shared/envelope').CommandEnvelope> {
  private lambda?: LambdaInvoker;
  constructor(private readonly props: CommandClientProps) {
    this.lambda = props.lambda;
  }

  async send(command: Command): Promise<CommandResult> {
    const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
    this.lambda ??= new LambdaClient({});
    const output = await this.lambda.send(new InvokeCommand({
      FunctionName: this.props.functionName,
      Payload: new TextEncoder().encode(JSON.stringify(command)),
    }));
    const text = output.Payload ? new TextDecoder().decode(output.Payload) : 'null';
    const answer: unknown = JSON.parse(text);
    if (output.FunctionError) {
      const message = typeof answer === 'object' && answer !== null && 'errorMessage' in answer ? String(answer.errorMessage) : text;
      throw new Error(`Command function ${this.props.functionName} failed: ${message}`);
    }
    if (isErrorAnswer(answer)) throw fromErrorAnswer(answer);
    return answer as CommandResult;
  }
}
