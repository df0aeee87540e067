import * as path from 'node:path';
import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { projectorCode } from '../bundling/function-code';
import {
  EVENT_STORE_PROJECTOR_ACTIONS, EVENT_STORE_REBUILD_ACTIONS, READ_MODEL_CUSTOM_WRITE_ACTIONS, READ_MODEL_PROJECTOR_ACTIONS, TABLE_KEY_ACTIONS,
} from '../iam-actions';
import {
  createProjectionQueues, grantSelfInvoke, QueuedProjection, PROJECTION_DEFAULTS, projectorEventSource, rebuildCommandFor, routeToQueue,
} from './projection-delivery';
import { createOwnedFunction } from './owned-function';
import { readProjectionManifest } from '../definition-checks';
import { ENV, FUNCTION_ROLES } from '../runtime-contract';
import type { IProjection, ProjectionProps } from '../../projection-props';

/** What the aggregate hands to each of its projections. */
export interface ProjectionWiring {
  /** For error messages: `CqrsAggregate '<id>'`. */
  readonly where: string;
  readonly aggregateName: string;
  /** The `source` of the aggregate's events on the bus. */
  readonly eventSource: string;
  readonly eventBus: events.IEventBus;
  readonly eventStore: dynamodb.ITableV2;
  readonly readModel: dynamodb.ITableV2;
  /** The names of the read model's indexes: a projection may fill only these. */
  readonly readModelIndexNames: string[];
  /** The customer managed key of the tables and queues. @default - AWS owned / SQS managed keys */
  readonly encryptionKey?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * One projection, read top to bottom: DLQ, queue, rule on the bus, projector, grants, alarms.
 * Created by `CqrsAggregate` for each of its `projections`, with the projection's name as id.
 */
export class ProjectionPipeline extends QueuedProjection implements IProjection {
  public readonly projectionName: string;
  public readonly eventTypes: string[];
  public readonly rule: events.IRule;
  public override readonly queue: sqs.IQueue;
  public override readonly deadLetterQueue: sqs.IQueue;
  public override readonly projector: lambda.IFunction;
  public readonly alarms: cloudwatch.AlarmBase[];
  public readonly rebuildCommand?: string;

  constructor(scope: Construct, props: ProjectionProps & ProjectionWiring) {
    super(scope, props.projectionName);
    const entry = path.resolve(props.entry);
    this.projectionName = props.projectionName;
    const manifest = readProjectionManifest({ where: props.where, projectionName: props.projectionName, entry });
    const undeclared = manifest.indexNames.filter((indexName) => !props.readModelIndexNames.includes(indexName));
    if (undeclared.length > 0) {
      throw new Error(`${props.where}: projection '${props.projectionName}' (entry ${entry}) fills the read-model indexes ${undeclared.map((n) => `'${n}'`).join(', ')}, which readModelIndexes does not declare (declared: ${props.readModelIndexNames.map((n) => `'${n}'`).join(', ') || 'none'}).`);
    }
    this.eventTypes = manifest.eventTypes;
    const custom = manifest.kind === 'customProjection';
    const queues = createProjectionQueues(this, props);
    const rule = routeToQueue(this, 'Rule', {
      description: `Routes ${props.aggregateName} events to the ${props.projectionName} projection (cdk-cqrs)`,
      eventBus: props.eventBus,
      eventSource: props.eventSource,
      aggregateName: props.aggregateName,
      eventTypes: this.eventTypes,
    }, queues);

    const { role, function: fn } = createOwnedFunction(this, {
      functionRole: FUNCTION_ROLES.projector,
      description: `Projector ${props.projectionName} of the ${props.aggregateName} aggregate (cdk-cqrs)`,
      code: projectorCode(entry),
      environment: {
        [ENV.readModelTable]: props.readModel.tableName,
        // Only an exact projection reads the event store (gaps, rebuild).
        ...(custom ? {} : { [ENV.eventStoreTable]: props.eventStore.tableName }),
        [ENV.projectionName]: props.projectionName,
        // The rule matches only this aggregate; with its name the projector also skips any other.
        [ENV.aggregateName]: props.aggregateName,
      },
      memorySize: props.memorySize ?? PROJECTION_DEFAULTS.memorySize,
      timeout: props.timeout ?? PROJECTION_DEFAULTS.timeout,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    fn.addEventSource(projectorEventSource(queues.queue, props));
    if (custom) {
      // Custom handlers choose their own reads and writes on the read model; they never read the
      // event store and cannot be rebuilt, so they get no Scan, no event store and no self-invoke.
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: READ_MODEL_CUSTOM_WRITE_ACTIONS,
        resources: [props.readModel.tableArn, ...props.readModelIndexNames.map((indexName) => `${props.readModel.tableArn}/index/${indexName}`)],
      }));
    } else {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: [...EVENT_STORE_PROJECTOR_ACTIONS, ...EVENT_STORE_REBUILD_ACTIONS],
        resources: [props.eventStore.tableArn],
      }));
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: READ_MODEL_PROJECTOR_ACTIONS, resources: [props.readModel.tableArn] }));
      grantSelfInvoke(this, role, fn);
    }
    props.encryptionKey?.grant(role, ...TABLE_KEY_ACTIONS);

    this.rule = rule;
    this.queue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;
    this.projector = fn;
    this.rebuildCommand = custom ? undefined : rebuildCommandFor(fn.functionName);
    this.alarms = this.createAlarms(props.aggregateName, props.projectionName);
  }
}
