import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { queryHandlerCode } from '../bundling/function-code';
import { createOwnedFunction } from './owned-function';
import { ENV, FUNCTION_ROLES } from '../runtime-contract';
import { grantReadModelRead } from './read-model-table';
import { grantSessionRead } from './session-table';

/** Properties of a `QueryFunction`. */
export interface QueryFunctionProps {
  readonly aggregateName: string;
  /** Absolute path of the queries module. */
  readonly entry: string;
  readonly readModel: dynamodb.ITableV2;
  readonly readModelIndexNames: string[];
  readonly encryptionKey?: kms.IKey;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * With the aggregate's `readYourWrites`: the tables a query reads a session's own writes from.
   * @default - queries read the read model alone
   */
  readonly readYourWrites?: QueryFunctionSessionTables;
}

/** The tables the query function reads a session's pending writes from. */
export interface QueryFunctionSessionTables {
  readonly sessionTable: dynamodb.ITableV2;
  readonly eventStore: dynamodb.ITableV2;
}

/**
 * The query Lambda: `{ type, params }` in, the query's result out. Its role may read the read
 * model and its indexes (no scans, no writes) and write its logs; with read-your-writes also
 * query the session table and the event store. Nothing else.
 */
export class QueryFunction extends Construct {
  /** The function. */
  public readonly function: lambda.IFunction;

  constructor(scope: Construct, id: string, props: QueryFunctionProps) {
    super(scope, id);
    const { role, function: fn } = createOwnedFunction(this, {
      functionRole: FUNCTION_ROLES.queryHandler,
      description: `Query function of the ${props.aggregateName} aggregate (cdk-cqrs)`,
      code: queryHandlerCode(props.entry),
      environment: {
        [ENV.readModelTable]: props.readModel.tableName,
        // Names the aggregate in an UnknownQuery, and lets the local runtime find an aggregate's query function.
        [ENV.aggregateName]: props.aggregateName,
        ...(props.readYourWrites && {
          [ENV.sessionTable]: props.readYourWrites.sessionTable.tableName,
          [ENV.eventStoreTable]: props.readYourWrites.eventStore.tableName,
        }),
      },
      memorySize: props.memorySize,
      timeout: props.timeout,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    grantReadModelRead(role, props.readModel, props.readModelIndexNames, props.encryptionKey);
    if (props.readYourWrites) grantSessionRead(role, props.readYourWrites.sessionTable, props.readYourWrites.eventStore);
    this.function = fn;
  }
}
