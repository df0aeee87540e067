import { type Duration, type RemovalPolicy, Tokenization } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { commandHandlerCode } from '../bundling/function-code';
import { EVENT_STORE_COMMAND_ACTIONS, SESSION_WRITE_ACTIONS, TABLE_KEY_ACTIONS } from '../iam-actions';
import { createOwnedFunction } from './owned-function';
import { ENV, FUNCTION_ROLES } from '../runtime-contract';

/** Properties of a `CommandFunction`. */
export interface CommandFunctionProps {
  /** Absolute path of the module whose default export is `defineAggregate(...)`. */
  readonly entry: string;
  /** The aggregate's name. */
  readonly aggregateName: string;
  /** The `source` of its events: `<namespace>.<aggregateName>`. */
  readonly eventSource: string;
  /** The event store it loads from and appends to. */
  readonly eventStore: dynamodb.ITableV2;
  /** The customer managed key of the event store, if it has one. @default - an AWS owned key */
  readonly encryptionKey?: kms.IKey;
  /** Write a snapshot every this many events. */
  readonly snapshotEvery: number;
  /** Re-decisions after a version conflict, for commands without `expectedVersion`. */
  readonly maxConflictRetries: number;
  /** How long an idempotency record is kept. */
  readonly idempotencyTtl: Duration;
  /** Memory of the function, in MiB. */
  readonly memorySize: number;
  /** Timeout of the function. */
  readonly timeout: Duration;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /** What happens to the log group when it is removed from the stack. */
  readonly logRemovalPolicy: RemovalPolicy;
  /** With read-your-writes: the session table, and how long its entries are kept. @default - no session entries */
  readonly sessions?: { readonly table: dynamodb.ITableV2; readonly ttl: Duration };
}

/**
 * The command Lambda: the user's aggregate bundled with the runtime. It loads an aggregate,
 * decides, and appends the new events in one write.
 *
 * Its role may read and append items in the event store and write its logs, nothing else.
 */
export class CommandFunction extends Construct {
  /** The function. */
  public readonly function: lambda.IFunction;

  constructor(scope: Construct, id: string, props: CommandFunctionProps) {
    super(scope, id);
    const { role, function: fn } = createOwnedFunction(this, {
      functionRole: FUNCTION_ROLES.commandHandler,
      description: `Command handler of the ${props.aggregateName} aggregate (cdk-cqrs)`,
      code: commandHandlerCode(props.entry),
      environment: {
        [ENV.eventStoreTable]: props.eventStore.tableName,
        [ENV.aggregateName]: props.aggregateName,
        [ENV.eventSource]: props.eventSource,
        [ENV.snapshotEvery]: Tokenization.stringifyNumber(props.snapshotEvery),
        [ENV.maxConflictRetries]: Tokenization.stringifyNumber(props.maxConflictRetries),
        [ENV.idempotencyTtlSeconds]: Tokenization.stringifyNumber(props.idempotencyTtl.toSeconds()),
        ...(props.sessions ? {
          [ENV.sessionTable]: props.sessions.table.tableName,
          [ENV.sessionTtlSeconds]: Tokenization.stringifyNumber(props.sessions.ttl.toSeconds()),
        } : {}),
      },
      memorySize: props.memorySize,
      timeout: props.timeout,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: EVENT_STORE_COMMAND_ACTIONS,
      resources: [props.eventStore.tableArn],
    }));
    if (props.sessions) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: SESSION_WRITE_ACTIONS, resources: [props.sessions.table.tableArn] }));
    }
    props.encryptionKey?.grant(role, ...TABLE_KEY_ACTIONS);
    this.function = fn;
  }
}
