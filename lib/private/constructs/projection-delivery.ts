import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ProjectionAlarms } from './alarms';
import { SELF_INVOKE_ACTIONS } from '../iam-actions';
import type { ProjectionDeliveryProps } from '../../projection-props';

/**
 * How events reach a projector, whatever it writes: a queue with a dead-letter queue, rules on
 * buses that send to it, the SQS event source of the projector, its self-invoke for rebuilds
 * and its metrics. Shared by the document projections of `CqrsAggregate` and the SQL
 * projections of `CqrsSqlReadModel`.
 */

/** The defaults of `ProjectionDeliveryProps`, applied once. */
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

/** Largest batch SQS takes without a batching window. */
export const MAX_BATCH_WITHOUT_WINDOW = 10;

/** The AWS CLI command that starts a rebuild of a projection, in 4 segments (`IProjection.rebuildCommand`). */
export const rebuildCommandFor = (functionName: string): string =>
  `aws lambda invoke --function-name ${functionName} --invocation-type Event --cli-binary-format raw-in-base64-out --payload '{"rebuild":{"totalSegments":4}}' /dev/null`;

/** A projection's queue and the dead-letter queue behind it. */
export interface ProjectionQueues {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
}

/**
 * Adds `DeadLetterQueue` and `Queue` to `scope`: encrypted with `encryptionKey` (else SSE-SQS),
 * TLS only, a visibility timeout of six times the projector's timeout.
 */
export function createProjectionQueues(scope: Construct, props: ProjectionDeliveryProps & { readonly encryptionKey?: kms.IKey }): ProjectionQueues {
  const timeout = props.timeout ?? PROJECTION_DEFAULTS.timeout;
  const encryption = props.encryptionKey
    ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
    : { encryption: sqs.QueueEncryption.SQS_MANAGED };
  // One DLQ serves both the queue's redrive policy and the rule targets: either way it holds
  // the EventBridge event itself, which the projector takes as it is, so one redrive to the
  // queue replays both kinds, one alarm watches both, and the stack stays two resources
  // (a queue and its policy) leaner per projection.
  const deadLetterQueue = new sqs.Queue(scope, 'DeadLetterQueue', {
    ...encryption,
    enforceSSL: true,
    retentionPeriod: PROJECTION_DELIVERY.deadLetterRetention,
  });
  Validations.of(deadLetterQueue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is itself a dead-letter queue: of the projection queue (redrive policy) and of the rule target.',
  });
  const queue = new sqs.Queue(scope, 'Queue', {
    ...encryption,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(timeout.toSeconds() * PROJECTION_DELIVERY.visibilityTimeoutPerFunctionTimeout),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? PROJECTION_DEFAULTS.maxReceiveCount },
  });
  return { queue, deadLetterQueue };
}

/** One aggregate's events that a rule sends to a projection's queue. */
export interface EventRoute {
  readonly description: string;
  readonly eventBus: events.IEventBus;
  /** The aggregate's `source` on the bus. */
  readonly eventSource: string;
  readonly aggregateName: string;
  /** The event types the projection handles. */
  readonly eventTypes: string[];
}

/**
 * Adds the rule `id` to `scope`: `route`'s events, from that aggregate only, go to the queue as
 * they are, retried for a day, then to the dead-letter queue. The target adds to both queues'
 * policies the statement that lets EventBridge send from this rule; enforceSSL's
 * deny-without-TLS statement stays beside it in the same policy.
 */
export function routeToQueue(scope: Construct, id: string, route: EventRoute, queues: ProjectionQueues): events.Rule {
  return new events.Rule(scope, id, {
    description: route.description,
    eventBus: route.eventBus,
    eventPattern: {
      source: [route.eventSource],
      detailType: route.eventTypes,
      detail: { aggregateName: [route.aggregateName] },
    },
    targets: [new targets.SqsQueue(queues.queue, {
      deadLetterQueue: queues.deadLetterQueue,
      maxEventAge: PROJECTION_DELIVERY.maxEventAge,
      retryAttempts: PROJECTION_DELIVERY.retryAttempts,
    })],
  });
}

/** The projector's SQS event source: batches with partial batch failures, the given sizes or the defaults. */
export function projectorEventSource(queue: sqs.IQueue, props: ProjectionDeliveryProps): SqsEventSource {
  const batchSize = props.batchSize ?? PROJECTION_DEFAULTS.batchSize;
  return new SqsEventSource(queue, {
    batchSize,
    maxBatchingWindow: props.maxBatchingWindow
      ?? (batchSize > MAX_BATCH_WITHOUT_WINDOW ? PROJECTION_DEFAULTS.maxBatchingWindowAboveTen : undefined),
    reportBatchItemFailures: true,
    maxConcurrency: props.maxConcurrency ?? PROJECTION_DEFAULTS.maxConcurrency,
  });
}

/**
 * Adds `SelfInvokePolicy` to `scope`: `role` may invoke `fn` (a rebuild goes on in new
 * invocations). A policy apart from the role's inline one: the function depends on its role, so
 * a statement there naming the function's ARN would make a cycle.
 */
export function grantSelfInvoke(scope: Construct, role: iam.IRole, fn: lambda.IFunction): iam.Policy {
  return new iam.Policy(scope, 'SelfInvokePolicy', {
    roles: [role],
    statements: [new iam.PolicyStatement({ actions: SELF_INVOKE_ACTIONS, resources: [fn.functionArn] })],
  });
}

/**
 * What a projection construct of either kind shares: its queue, dead-letter queue and projector,
 * the metrics of `IProjection` and `ISqlProjection` (each documented there), and its alarms.
 */
export abstract class QueuedProjection extends Construct {
  public abstract readonly queue: sqs.IQueue;
  public abstract readonly deadLetterQueue: sqs.IQueue;
  public abstract readonly projector: lambda.IFunction;

  public metricLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.queue.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1), ...props });
  }

  public metricDeadLetterMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1), ...props });
  }

  public metricProjectorErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.projector.metricErrors({ statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1), ...props });
  }

  /** Adds `Alarms` on the metrics above; call it once `queue`, `deadLetterQueue` and `projector` are set. */
  protected createAlarms(owner: string, projectionName: string): cloudwatch.AlarmBase[] {
    return new ProjectionAlarms(this, 'Alarms', {
      owner,
      projectionName,
      lag: this.metricLag(),
      deadLetterMessages: this.metricDeadLetterMessages(),
      projectorErrors: this.metricProjectorErrors(),
    }).alarms;
  }
}
