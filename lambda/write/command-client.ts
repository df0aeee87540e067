import type { CommandResult } from '../shared/envelope';
import { FunctionInvoker, type AggregateFunctionProps } from '../shared/function-invoker';
import { explicitOrConnectedName } from '../shared/client-env';

/** Which command handler a `CommandClient` sends to: `{ aggregateName }` (it reads `CQRS_<aggregateName>_COMMAND_FUNCTION`) or `{ functionName }`. */
export type CommandClientProps = AggregateFunctionProps;

/**
 * Sends commands to an aggregate's command function; a rejected command is thrown as its typed error.
 *
 * `new CommandClient<CommandOf<typeof customer>>({ aggregateName: 'Customer' })` types `send` by the aggregate's commands.
 */
export class CommandClient<Command = import('../shared/envelope').CommandEnvelope> {
  private readonly function: FunctionInvoker;
  /** The command handler's name or ARN. */
  readonly functionName: string;
  constructor(props: CommandClientProps) {
    this.functionName = explicitOrConnectedName('CommandClient', { prop: 'functionName', value: props.functionName }, props.aggregateName, 'commandFunction');
    this.function = new FunctionInvoker(this.functionName, 'Command function', props.lambda);
  }

  async send(command: Command): Promise<CommandResult> {
    return await this.function.invoke(command) as CommandResult;
  }
}
