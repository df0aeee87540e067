import * as path from 'node:path';
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ProjectionAlarms } from './alarms';
import { projectorCode } from '../bundling/function-code';
import {
  EVENT_STORE_PROJECTOR_ACTIONS, EVENT_STORE_REBUILD_ACTIONS, READ_MODEL_CUSTOM_WRITE_ACTIONS, READ_MODEL_PROJECTOR_ACTIONS, SELF_INVOKE_ACTIONS, TABLE_KEY_ACTIONS,
} from '../iam-actions';
import { createOwnedFunction } from './owned-function';
import { readProjectionManifest } from '../definition-checks';
import { ENV, FUNCTION_ROLES } from '../runtime-contract';
import type { IProjection, ProjectionProps } from '../../projection-props';

/** The defaults of `ProjectionProps`, applied once. */
export const PROJECTION_DEFAULTS = {
  batchSize: 10,
  /** Used only when batchSize is above 10 and no window is given. */
  maxBatchingWindowAboveTen: Duration.seconds(1),
  maxConcurrency: 2,
  maxReceiveCount: 5,
  timeout: Duration.seconds(30),
  memorySize: 256,
};

/** How events reach a projection's queue, and how long they stay. */
export const PROJECTION_DELIVERY = {
  /** EventBridge retries a failed delivery to the queue (say, a KMS fault) for up to a day, then dead-letters it. */
  maxEventAge: Duration.hours(24),
  retryAttempts: 185,
  /** AWS: the visibility timeout of a Lambda's source queue is at least six times the function timeout. */
  visibilityTimeoutPerFunctionTimeout: 6,
  deadLetterRetention: Duration.days(14),
};

/** The AWS CLI command that starts a rebuild of a projection, in 4 segments (`IProjection.rebuildCommand`). */
export const rebuildCommandFor = (functionName: string): string =>
  `aws lambda invoke --function-name ${functionName} --invocation-type Event --cli-binary-format raw-in-base64-out --payload '{"rebuild":{"totalSegments":4}}' /dev/null`;

/** Largest batch SQS takes without a batching window. */
export const MAX_BATCH_WITHOUT_WINDOW = 10;

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
export class ProjectionPipeline extends Construct implements IProjection {
  public readonly projectionName: string;
  public readonly eventTypes: string[];
  public readonly rule: events.IRule;
  public readonly queue: sqs.IQueue;
  public readonly deadLetterQueue: sqs.IQueue;
  public readonly projector: lambda.IFunction;
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
    const timeout = props.timeout ?? PROJECTION_DEFAULTS.timeout;
    const batchSize = props.batchSize ?? PROJECTION_DEFAULTS.batchSize;
    const maxBatchingWindow = props.maxBatchingWindow
      ?? (batchSize > MAX_BATCH_WITHOUT_WINDOW ? PROJECTION_DEFAULTS.maxBatchingWindowAboveTen : undefined);
    const encryption = props.encryptionKey
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED };

    // One DLQ serves both the queue's redrive policy and the rule target: either way it holds
    // the EventBridge event itself, which the projector takes as it is, so one redrive to the
    // queue replays both kinds, one alarm watches both, and the aggregate stays two resources
    // (a queue and its policy) leaner per projection.
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...encryption,
      enforceSSL: true,
      retentionPeriod: PROJECTION_DELIVERY.deadLetterRetention,
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue: of the projection queue (redrive policy) and of the rule target.',
    });
    const queue = new sqs.Queue(this, 'Queue', {
      ...encryption,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * PROJECTION_DELIVERY.visibilityTimeoutPerFunctionTimeout),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? PROJECTION_DEFAULTS.maxReceiveCount },
    });

    // The target adds to both queues' policies the statement that lets EventBridge send from
    // this rule; enforceSSL's deny-without-TLS statement stays beside it in the same policy.
    const rule = new events.Rule(this, 'Rule', {
      description: `Routes ${props.aggregateName} events to the ${props.projectionName} projection (cdk-cqrs)`,
      eventBus: props.eventBus,
      eventPattern: {
        source: [props.eventSource],
        detailType: this.eventTypes,
        detail: { aggregateName: [props.aggregateName] },
      },
      targets: [new targets.SqsQueue(queue, {
        deadLetterQueue,
        maxEventAge: PROJECTION_DELIVERY.maxEventAge,
        retryAttempts: PROJECTION_DELIVERY.retryAttempts,
      })],
    });

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
      timeout,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    fn.addEventSource(new SqsEventSource(queue, {
      batchSize,
      maxBatchingWindow,
      reportBatchItemFailures: true,
      maxConcurrency: props.maxConcurrency ?? PROJECTION_DEFAULTS.maxConcurrency,
    }));
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
      // A policy apart from the role's inline one: the function depends on its role, so a
      // statement there naming the function's ARN would make a cycle.
      new iam.Policy(this, 'SelfInvokePolicy', {
        roles: [role],
        statements: [new iam.PolicyStatement({ actions: SELF_INVOKE_ACTIONS, resources: [fn.functionArn] })],
      });
    }
    props.encryptionKey?.grant(role, ...TABLE_KEY_ACTIONS);

    this.rule = rule;
    this.queue = queue;
    this.deadLetterQueue = deadLetterQueue;
    this.projector = fn;
    this.rebuildCommand = custom ? undefined : rebuildCommandFor(fn.functionName);
    this.alarms = new ProjectionAlarms(this, 'Alarms', {
      aggregateName: props.aggregateName,
      projectionName: props.projectionName,
      lag: this.metricLag(),
      deadLetterMessages: this.metricDeadLetterMessages(),
      projectorErrors: this.metricProjectorErrors(),
    }).alarms;
  }

  public metricLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1), ...props });
  }

  public metricDeadLetterMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1), ...props });
  }

  public metricProjectorErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.projector.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1), ...props });
  }
}
