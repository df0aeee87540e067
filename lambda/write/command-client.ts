import type { CommandResult } from '../shared/envelope';
import { fromErrorAnswer, isErrorAnswer } from '../shared/error-answer';
import { explicitOrConnectedName } from '../shared/client-env';

/** The part of a Lambda client the command client uses (an `@aws-sdk/client-lambda` LambdaClient fits). */
export interface LambdaInvoker {
  send(command: object): Promise<{ Payload?: Uint8Array; FunctionError?: string }>;
}

/**
 * Which command handler a `CommandClient` sends to: `{ aggregateName }` in a function given
 * `aggregate.connect(fn)` (it reads `CQRS_<aggregateName>_COMMAND_FUNCTION`), or `{ functionName }`.
 */
export type CommandClientProps = ({
  /** The aggregate's name, as given to CqrsAggregate: the function's name is read from the environment `connect` sets. */
  readonly aggregateName: string;
  readonly functionName?: never;
} | {
  /** Name or ARN of the aggregate's command handler function. */
  readonly functionName: string;
  readonly aggregateName?: never;
}) & {
  /** @default - a LambdaClient for the current region */
  readonly lambda?: LambdaInvoker;
};

/**
 * Sends commands to an aggregate's command function; a rejected command is thrown as its typed error.
 *
 * `new CommandClient<CommandOf<typeof customer>>({ aggregateName: 'Customer' })` types `send` by the aggregate's commands.
 */
export class CommandClient<Command = import('../shared/envelope').CommandEnvelope> {
  private lambda?: LambdaInvoker;
  /** The command handler's name or ARN. */
  readonly functionName: string;
  constructor(props: CommandClientProps) {
    this.lambda = props.lambda;
    this.functionName = explicitOrConnectedName('CommandClient', { prop: 'functionName', value: props.functionName }, props.aggregateName, 'commandFunction');
  }

  async send(command: Command): Promise<CommandResult> {
    const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
    this.lambda ??= new LambdaClient({});
    const output = await this.lambda.send(new InvokeCommand({
      FunctionName: this.functionName,
      Payload: new TextEncoder().encode(JSON.stringify(command)),
    }));
    const text = output.Payload ? new TextDecoder().decode(output.Payload) : 'null';
    const answer: unknown = JSON.parse(text);
    if (output.FunctionError) {
      const message = typeof answer === 'object' && answer !== null && 'errorMessage' in answer ? String(answer.errorMessage) : text;
      throw new Error(`Command function ${this.functionName} failed: ${message}`);
    }
    if (isErrorAnswer(answer)) throw fromErrorAnswer(answer);
    return answer as CommandResult;
  }
}
