import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ProjectionProps } from './projection-props';
import type { ReadModelIndexProps } from './read-model-index-props';
import type { QueriesProps } from './queries-props';
import type { ReadYourWritesProps } from './read-your-writes-props';

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
   * What happens to the event store, the read model, and the functions' log groups, when they
   * are removed from the stack or the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How many times a command is tried again on fresh state after a version conflict, before the
   * caller gets a `ConcurrencyError` (0 to 10). For a command with `expectedVersion`, the fresh
   * state answers that error at once when the version has moved on.
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
   * A customer managed KMS key that encrypts the tables (event store, read model) and the queues
   * (the publisher's dead-letter queue, the projections' queues and dead-letter queues).
   *
   * @default - AWS owned keys: DynamoDB's for the tables, SQS managed (SSE-SQS) for the queues
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The projections that fold this aggregate's events into its read model. Each gets a rule on
   * the bus for the event types its module handles, a queue with a dead-letter queue, a
   * projector function and alarms.
   *
   * @default - none: no read model, no queues
   */
  readonly projections?: ProjectionProps[];

  /**
   * Global secondary indexes of the read model (at most 20), for queries other than by
   * aggregate id. Used only when there are `projections`.
   *
   * @default - none
   */
  readonly readModelIndexes?: ReadModelIndexProps[];

  /**
   * Read-your-writes: a session table where each command sent with a `sessionId` also writes
   * its events, in the same transaction, so that the caller's reads can include them before
   * the projections catch up.
   *
   * @default - no session table: reads see the read model alone
   */
  readonly readYourWrites?: ReadYourWritesProps;

  /**
   * A query function bundled from your queries module (`defineQueries(...)`), which may read
   * the read model and nothing else. Needs `projections`.
   *
   * @default - no query function: give your own functions `grantReadModel`
   */
  readonly queries?: QueriesProps;
}

/** The defaults of `CqrsAggregateProps`, applied once by `CqrsAggregate`. */
export const AGGREGATE_DEFAULTS = {
  snapshotEvery: 50,
  namespace: 'cqrs',
  removalPolicy: RemovalPolicy.RETAIN,
  maxConflictRetries: 3,
  idempotencyTtl: Duration.hours(24),
  commandHandlerMemorySize: 512,
  commandHandlerTimeout: Duration.seconds(10),
  logRetention: logs.RetentionDays.ONE_MONTH,
  sessionTtl: Duration.minutes(5),
  queryMemorySize: 256,
  queryTimeout: Duration.seconds(10),
};

