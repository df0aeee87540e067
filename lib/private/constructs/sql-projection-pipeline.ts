import { Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct, IDependable } from 'constructs';
import { sqlProjectorCode } from '../bundling/function-code';
import { EVENT_STORE_PROJECTOR_ACTIONS, EVENT_STORE_REBUILD_ACTIONS, TABLE_KEY_READ_ACTIONS } from '../iam-actions';
import {
  createProjectionQueues, grantSelfInvoke, QueuedProjection, PROJECTION_DEFAULTS, projectorEventSource, rebuildCommandFor, routeToQueue,
} from './projection-delivery';
import { createSqlFunction, type SqlDatabase } from './sql-function';
import { ENV, FUNCTION_ROLES } from '../runtime-contract';
import type { SqlProjectionPlan } from '../sql-read-model-validation';
import type { ISqlProjection } from '../../cqrs-sql-read-model-props';

/** What the read model hands to each of its projections. */
export interface SqlProjectionWiring {
  /** Names the read model in descriptions: `SQL read model '<id>'`. */
  readonly owner: string;
  readonly database: SqlDatabase;
  /** The migrations resource: no event is projected before the tables exist. */
  readonly migrationsResource: IDependable;
  /** The customer managed key of the queues. @default - SQS managed keys */
  readonly encryptionKey?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * One SQL projection, top to bottom: DLQ, queue, a rule on each source aggregate's bus, the
 * projector, grants, alarms. Created by `CqrsSqlReadModel` for each of its `projections`, with
 * the projection's name as id.
 */
export class SqlProjectionPipeline extends QueuedProjection implements ISqlProjection {
  public readonly projectionName: string;
  public readonly sourceEventTypes: { [aggregateName: string]: string[] };
  public readonly rules: events.IRule[];
  public override readonly queue: sqs.IQueue;
  public override readonly deadLetterQueue: sqs.IQueue;
  public override readonly projector: lambda.IFunction;
  public readonly alarms: cloudwatch.AlarmBase[];
  public readonly rebuildCommand: string;

  constructor(scope: Construct, props: SqlProjectionPlan & SqlProjectionWiring) {
    super(scope, props.projectionName);
    this.projectionName = props.projectionName;
    this.sourceEventTypes = Object.fromEntries(props.sourcePlans.map((source) => [source.aggregateName, source.eventTypes]));
    const queues = createProjectionQueues(this, props);
    this.rules = props.sourcePlans.map((source) => routeToQueue(this, `${source.aggregateName}Rule`, {
      description: `Routes ${source.aggregateName} events to the ${props.projectionName} SQL projection (cdk-cqrs)`,
      eventBus: source.eventBus,
      eventSource: source.eventSource,
      aggregateName: source.aggregateName,
      eventTypes: source.eventTypes,
    }, queues));

    const { role, function: fn } = createSqlFunction(this, props.database, {
      functionRole: FUNCTION_ROLES.sqlProjector,
      description: `SQL projector ${props.projectionName} of ${props.owner} (cdk-cqrs)`,
      code: sqlProjectorCode(props.entry),
      environment: {
        [ENV.projectionName]: props.projectionName,
        [ENV.sqlSources]: Stack.of(this).toJsonString(Object.fromEntries(props.sourcePlans.map((source) => [source.aggregateName, source.internals.eventStore.tableName]))),
      },
      memorySize: props.memorySize ?? PROJECTION_DEFAULTS.memorySize,
      timeout: props.timeout ?? PROJECTION_DEFAULTS.timeout,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    fn.addEventSource(projectorEventSource(queues.queue, props));
    for (const mapping of fn.node.children) if (mapping instanceof lambda.EventSourceMapping) mapping.node.addDependency(props.migrationsResource);
    // Its sources' event stores only, read only: gaps are queried, a rebuild scans.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [...EVENT_STORE_PROJECTOR_ACTIONS, ...EVENT_STORE_REBUILD_ACTIONS],
      resources: props.sourcePlans.map((source) => source.internals.eventStore.tableArn),
    }));
    const storeKeys = [...new Set(props.sourcePlans.flatMap((source) => source.internals.encryptionKey ?? []))];
    for (const key of storeKeys) key.grant(role, ...TABLE_KEY_READ_ACTIONS);
    grantSelfInvoke(this, role, fn);

    this.queue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;
    this.projector = fn;
    this.rebuildCommand = rebuildCommandFor(fn.functionName);
    this.alarms = this.createAlarms(props.owner, props.projectionName);
  }
}
