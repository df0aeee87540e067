import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

/** A projection of the aggregate's events into its read model: one item in `CqrsAggregateProps.projections`. */
export interface ProjectionProps extends ProjectionDeliveryProps {
  /**
   * The projection's name, for example `CustomerView`: letters and digits, starting with a
   * letter, unique within the aggregate.
   *
   * It is the sort key of the projection's documents in the read model (`sk`), and the id of
   * the projection's constructs.
   */
  readonly projectionName: string;

  /**
   * Path of the module that defines the projection: its default export is
   * `defineProjection(aggregate, { events })`.
   *
   * It is read at synth time: the projection's rule on the bus matches exactly the event types
   * in its `events`. Then it is bundled with the runtime into the projector, like the
   * aggregate's `entry`.
   */
  readonly entry: string;
}

/**
 * How a projection's events reach its projector (a queue with a dead-letter queue, read in
 * batches), and the projector's size: the same for the projections of a `CqrsAggregate` and of
 * a `CqrsSqlReadModel`.
 */
export interface ProjectionDeliveryProps {
  /**
   * The most events the projector receives in one batch (1 to 10000). A batch is folded per
   * aggregate: one read and one write per aggregate.
   *
   * Above 10, SQS needs a `maxBatchingWindow` of at least 1 second.
   *
   * @default 10
   * @see https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
   */
  readonly batchSize?: number;

  /**
   * How long Lambda gathers events before it invokes the projector (0 to 5 minutes): a longer
   * window makes fuller batches, and a read model that lags by up to that much.
   *
   * @default - no window (each event is projected as soon as it is polled) while `batchSize`
   * is 10 or less; 1 second above, as SQS requires
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * The most projector invocations that the queue runs at once (2 to 1000; SQS event sources
   * accept no fewer than 2).
   *
   * @default 2
   */
  readonly maxConcurrency?: number;

  /**
   * How many times an event is received before it goes to the projection's dead-letter queue
   * (1 to 1000): the SQS redrive policy's `maxReceiveCount`.
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * Timeout of the projector (1 second to 15 minutes). The queue's visibility timeout is six
   * times this, as AWS advises for SQS event sources.
   *
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;

  /**
   * Memory of the projector, in MiB (128 to 10240).
   *
   * @default 256
   */
  readonly memorySize?: number;
}


/**
 * A projection of an aggregate, as `CqrsAggregate` provisioned it: a rule on the bus for its
 * event types, a queue with a dead-letter queue, a projector function, and alarms.
 */
export interface IProjection extends IConstruct {
  /** The projection's name. */
  readonly projectionName: string;
  /** The event types it handles, read from its module: what its rule matches. */
  readonly eventTypes: string[];
  /** The rule that routes those events from the bus to `queue`. */
  readonly rule: events.IRule;
  /** The queue of events waiting to be projected. */
  readonly queue: sqs.IQueue;
  /** Where events go that could not be projected after `maxReceiveCount` receives, or not be delivered to `queue`. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The function that folds the queued events into the read model. */
  readonly projector: lambda.IFunction;
  /** The projection's alarms (DLQ not empty, lag, projector errors), with no actions: add yours. */
  readonly alarms: cloudwatch.AlarmBase[];

  /**
   * The AWS CLI command that rebuilds the projection's documents from the event store (after a
   * new projection is deployed, or its code changed): it invokes `projector` asynchronously
   * with `{"rebuild":{"totalSegments":4}}`.
   *
   * The projector then scans the event store in 4 parallel segments, each continued by new
   * invocations of the projector until it is done, while commands and live projection go on.
   * Running it again changes nothing. Progress is logged in the projector's log group.
   *
   * Undefined for a `defineCustomProjection(...)`: its handlers decide what they write, so
   * cdk-cqrs cannot rebuild it (and its projector may not scan the event store or invoke itself).
   *
   * @default - undefined for a custom projection
   */
  readonly rebuildCommand?: string;

  /**
   * How far the read model is behind: the queue's `ApproximateAgeOfOldestMessage`, in seconds.
   * Maximum over 1 minute.
   */
  metricLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Events in the dead-letter queue: its `ApproximateNumberOfMessagesVisible`. Maximum over 1 minute. */
  metricDeadLetterMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Failed invocations of the projector: its `Errors`. Sum over 1 minute. */
  metricProjectorErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

