import { Construct } from 'constructs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { projectionReaderCode } from '../bundling/function-code';
import { createOwnedFunction } from './owned-function';
import { ENV, FUNCTION_ROLES } from '../runtime-contract';
import { grantDocumentRead } from './read-model-table';
import { grantSessionRead } from './session-table';
import type { AggregateInternals } from '../aggregate-internals';
import { OwnedRole } from './owned-role';

/** Properties of a `ProjectionReaderFunction`. */
export interface ProjectionReaderFunctionProps {
  readonly aggregate: AggregateInternals;
  /** The projections it reads, each with the absolute path of its module. */
  readonly projections: ReadonlyArray<{ readonly projectionName: string; readonly entry: string }>;
}

/**
 * The function behind `GET /{resource}/{aggregateId}/{projectionName}`: it reads one document of
 * an exposed projection, and with read-your-writes merges the caller's own pending writes with
 * the projection's handlers (so its bundle holds the exposed projections' modules). Its role may
 * get items of the read model (no queries, no scans, no writes), with read-your-writes also
 * query the session table and the events of the event store, and write its logs. Nothing else.
 */
export class ProjectionReaderFunction extends Construct {
  /** The function. */
  public readonly function: lambda.IFunction;

  constructor(scope: Construct, id: string, props: ProjectionReaderFunctionProps) {
    super(scope, id);
    const { aggregate } = props;
    if (!aggregate.readModel) throw new Error(`${this.node.path}: the aggregate ${aggregate.aggregateName} has no read model.`);
    const { role, function: fn } = createOwnedFunction(this, {
      functionRole: FUNCTION_ROLES.projectionReader,
      description: `Projection reader of the ${aggregate.aggregateName} aggregate's HTTP API (cdk-cqrs)`,
      code: projectionReaderCode(props.projections),
      environment: {
        [ENV.readModelTable]: aggregate.readModel.tableName,
        [ENV.aggregateName]: aggregate.aggregateName,
        ...(aggregate.sessionTable && {
          [ENV.sessionTable]: aggregate.sessionTable.tableName,
          [ENV.eventStoreTable]: aggregate.eventStore.tableName,
        }),
      },
      memorySize: aggregate.readerMemorySize,
      timeout: aggregate.readerTimeout,
      logRetention: aggregate.logRetention,
      logRemovalPolicy: aggregate.removalPolicy,
    });
    grantDocumentRead(role, aggregate.readModel, aggregate.encryptionKey);
    if (aggregate.sessionTable) grantSessionRead(role, aggregate.sessionTable, aggregate.eventStore);
    OwnedRole.sealAll(this);
    this.function = fn;
  }
}
