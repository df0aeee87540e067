import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AggregateAlarms } from './alarms';
import { CommandHandler } from './command-handler';
import { EventPublisher } from './event-publisher';
import { EventStore } from './event-store';
import { checkDurationInRange, checkIntegerInRange, checkPattern } from './private/validation';

/** Properties of a `CqrsAggregate`. */
export interface CqrsAggregateProps {
  /**
   * The aggregate's name, for example `Customer`: letters and digits, starting with a letter.
   *
   * It names the aggregate in its events' envelopes and in their `source` (`<namespace>.<aggregateName>`).
   */
  readonly aggregateName: string;

  /**
   * Path of the module that defines the aggregate: its default export is `defineAggregate(...)`.
   *
   * TypeScript or JavaScript. It is bundled with the runtime by esbuild at synth time, with no
   * Docker engine; an `import ... from 'cdk-cqrs/runtime'` in it resolves to that runtime.
   */
  readonly entry: string;

  /**
   * Write a snapshot of the state every this many events (1 to 1000), so a load reads at most
   * this many items.
   *
   * @default 50
   */
  readonly snapshotEvery?: number;

  /**
   * The EventBridge bus that the stored events are put on. Several aggregates can share one.
   *
   * @default - a new bus owned by this aggregate
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The first part of the events' `source`, which is `<namespace>.<aggregateName>`: letters,
   * digits, `.`, `-` and `_`, starting with a letter; not `aws.` (reserved by AWS).
   *
   * @default 'cqrs'
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
   */
  readonly namespace?: string;

  /**
   * What happens to the event store, and to the functions' log groups, when they are removed
   * from the stack or the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How many times a command sent without `expectedVersion` is decided again on fresh state
   * after a version conflict, before the caller gets a `ConcurrencyError` (0 to 10).
   *
   * @default 3
   */
  readonly maxConflictRetries?: number;

  /**
   * How long a command's `commandId` is remembered, so that sending it again returns the
   * first result instead of appending again (1 minute to 365 days).
   *
   * @default Duration.hours(24)
   */
  readonly idempotencyTtl?: Duration;

  /**
   * Memory of the command handler, in MiB (128 to 10240).
   *
   * @default 512
   */
  readonly commandHandlerMemorySize?: number;

  /**
   * Timeout of the command handler (1 second to 15 minutes).
   *
   * @default Duration.seconds(10)
   */
  readonly commandHandlerTimeout?: Duration;

  /**
   * How long the functions' logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * A customer managed KMS key that encrypts the event store and the publisher's dead-letter queue.
   *
   * @default - AWS owned keys: DynamoDB's for the event store, SQS managed (SSE-SQS) for the queue
   */
  readonly encryptionKey?: kms.IKey;
}

/** The defaults of `CqrsAggregateProps`, applied once. */
const DEFAULTS = {
  snapshotEvery: 50,
  namespace: 'cqrs',
  removalPolicy: RemovalPolicy.RETAIN,
  maxConflictRetries: 3,
  idempotencyTtl: Duration.hours(24),
  commandHandlerMemorySize: 512,
  commandHandlerTimeout: Duration.seconds(10),
  logRetention: logs.RetentionDays.ONE_MONTH,
};

/**
 * The write side of an event-sourced aggregate: an event store, a command handler bundled
 * from your domain module, an outbox that puts each stored event on an EventBridge bus, and
 * alarms.
 *
 * @example
 * const customers = new CqrsAggregate(this, 'Customers', {
 *   aggregateName: 'Customer',
 *   entry: path.join(__dirname, '../domain/customer.ts'),
 * });
 * customers.grantSendCommand(apiFunction);
 */
export class CqrsAggregate extends Construct {
  /** The event store: one partition per aggregate, one item per version. */
  public readonly eventStore: dynamodb.ITableV2;
  /** The bus that the stored events are put on. */
  public readonly eventBus: events.IEventBus;
  /** The function that takes commands (invoke it with the command envelope). */
  public readonly commandHandler: lambda.IFunction;
  /** The outbox function on the event store's stream. */
  public readonly publisher: lambda.IFunction;
  /** Where the publisher puts the stream positions of batches it could not publish. */
  public readonly publisherDeadLetterQueue: sqs.IQueue;
  /** The `source` of this aggregate's events on the bus: `<namespace>.<aggregateName>`. */
  public readonly eventSource: string;
  /** The aggregate's alarms, with no actions: add yours. */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: CqrsAggregateProps) {
    super(scope, id);
    validateProps(`CqrsAggregate '${id}'`, props);
    const removalPolicy = props.removalPolicy ?? DEFAULTS.removalPolicy;
    const logRetention = props.logRetention ?? DEFAULTS.logRetention;
    this.eventSource = `${props.namespace ?? DEFAULTS.namespace}.${props.aggregateName}`;

    const store = new EventStore(this, 'EventStore', { removalPolicy, encryptionKey: props.encryptionKey });
    this.eventStore = store.table;
    this.eventBus = props.eventBus ?? new events.EventBus(this, 'Bus');

    this.commandHandler = new CommandHandler(this, 'CommandHandler', {
      entry: path.resolve(props.entry),
      aggregateName: props.aggregateName,
      eventSource: this.eventSource,
      eventStore: this.eventStore,
      encryptionKey: props.encryptionKey,
      snapshotEvery: props.snapshotEvery ?? DEFAULTS.snapshotEvery,
      maxConflictRetries: props.maxConflictRetries ?? DEFAULTS.maxConflictRetries,
      idempotencyTtl: props.idempotencyTtl ?? DEFAULTS.idempotencyTtl,
      memorySize: props.commandHandlerMemorySize ?? DEFAULTS.commandHandlerMemorySize,
      timeout: props.commandHandlerTimeout ?? DEFAULTS.commandHandlerTimeout,
      logRetention,
      logRemovalPolicy: removalPolicy,
    }).function;

    const publisher = new EventPublisher(this, 'Publisher', {
      aggregateName: props.aggregateName,
      eventSource: this.eventSource,
      eventStore: this.eventStore,
      eventBus: this.eventBus,
      encryptionKey: props.encryptionKey,
      logRetention,
      logRemovalPolicy: removalPolicy,
    });
    this.publisher = publisher.function;
    this.publisherDeadLetterQueue = publisher.deadLetterQueue;

    this.alarms = new AggregateAlarms(this, 'Alarms', {
      aggregateName: props.aggregateName,
      publisherLag: this.metricPublisherLag(),
      commandErrors: this.metricCommandErrors(),
      publisherDeadLetterQueue: this.publisherDeadLetterQueue,
    }).alarms;
  }

  /**
   * Lets `grantee` send commands: `lambda:InvokeFunction` on the command handler.
   */
  public grantSendCommand(grantee: iam.IGrantable): iam.Grant {
    return this.commandHandler.grantInvoke(grantee);
  }

  /**
   * How far the outbox is behind the event store: the publisher's `IteratorAge` (milliseconds
   * between a record's write and its read). Maximum over 1 minute.
   */
  public metricPublisherLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.publisher.metric('IteratorAge', {
      statistic: cloudwatch.Stats.MAXIMUM,
      period: Duration.minutes(1),
      ...props,
    });
  }

  /**
   * Faults of the command handler: its `Errors`. Rejected commands are answers, not errors,
   * so they do not count. Sum over 1 minute.
   */
  public metricCommandErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.commandHandler.metricErrors({
      statistic: cloudwatch.Stats.SUM,
      period: Duration.minutes(1),
      ...props,
    });
  }
}

function validateProps(where: string, props: CqrsAggregateProps): void {
  checkPattern(where, 'aggregateName', props.aggregateName, /^[A-Za-z][A-Za-z0-9]{0,63}$/,
    'letters and digits, starting with a letter, at most 64 characters');
  checkPattern(where, 'namespace', props.namespace, /^[A-Za-z][A-Za-z0-9._-]{0,127}$/,
    'letters, digits, \'.\', \'-\' and \'_\', starting with a letter, at most 128 characters');
  if (props.namespace !== undefined && !Token.isUnresolved(props.namespace) && /^aws\./i.test(props.namespace)) {
    throw new Error(`${where}: namespace must not start with 'aws.', which AWS reserves for its own events (given '${props.namespace}').`);
  }
  if (!Token.isUnresolved(props.entry) && !fs.existsSync(props.entry)) {
    throw new Error(`${where}: entry not found at ${props.entry}. Point entry at a module whose default export is defineAggregate(...).`);
  }
  checkIntegerInRange(where, 'snapshotEvery', props.snapshotEvery, 1, 1000);
  checkIntegerInRange(where, 'maxConflictRetries', props.maxConflictRetries, 0, 10);
  checkIntegerInRange(where, 'commandHandlerMemorySize', props.commandHandlerMemorySize, 128, 10240);
  checkDurationInRange(where, 'idempotencyTtl', props.idempotencyTtl, Duration.minutes(1), Duration.days(365));
  checkDurationInRange(where, 'commandHandlerTimeout', props.commandHandlerTimeout, Duration.seconds(1), Duration.minutes(15));
}
