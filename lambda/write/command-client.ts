import type { CommandResult } from '../shared/envelope';
import { FunctionInvoker, type LambdaInvoker } from '../shared/function-invoker';

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
  private readonly function: FunctionInvoker;
  constructor(props: CommandClientProps) {
    this.function = new FunctionInvoker(props.functionName, 'Command function', props.lambda);
  }

  async send(command: Command): Promise<CommandResult> {
    return await this.function.invoke(command) as CommandResult;
  }
}
