import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import type { CqrsAggregate } from './cqrs-aggregate';
import type { ProjectionDeliveryProps } from './projection-props';

/** A projection whose handlers write SQL tables: one item in `CqrsSqlReadModelProps.projections`. */
export interface SqlProjectionProps extends ProjectionDeliveryProps {
  /**
   * The projection's name, for example `OrderSummaries`: letters and digits, starting with a
   * letter, unique within the read model.
   *
   * Its tables live in a PostgreSQL schema of its own, named after it in lower case; it is also
   * the id of the projection's constructs.
   */
  readonly projectionName: string;

  /**
   * Path of the module that defines the projection: its default export is
   * `defineSqlProjection<Tables>()({ aggregates, events })`.
   *
   * It is read at synth time: the rule on each source aggregate's bus matches exactly the event
   * types the module has handlers for. Then it is bundled with the runtime into the projector.
   */
  readonly entry: string;

  /**
   * The aggregates whose events the projection reads: exactly the keys of its definition's
   * `aggregates`, compared by `aggregateName`. Each gets a rule on its own bus, and the
   * projector may read its event store (to fill gaps and to rebuild).
   */
  readonly sources: CqrsAggregate[];

  /**
   * Path of the folder of the projection's schema migrations: `*.sql` files, applied in the
   * order of their names (so pad the numbers: `001_init.sql`, `002_add_email.sql`), each once,
   * at deploy before any event is projected, and when a local app starts. Names are ASCII
   * letters, digits, `_`, `-` and `.`; at least one file, none empty. A changed or added file
   * is applied at the next deploy.
   */
  readonly migrations: string;
}

/** The query function of a SQL read model: your queries, bundled with the runtime. */
export interface SqlQueriesProps {
  /**
   * Path of the module whose default export is `defineSqlQueries<Tables>()(...)`: the query
   * handlers, each given a read-only transaction on the read model's tables.
   */
  readonly entry: string;

  /**
   * Memory of the query function, in MiB (128 to 10240).
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Timeout of the query function (1 second to 15 minutes). The first query after the cluster
   * paused waits for it to resume, about 15 seconds.
   *
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
}

/** Properties of a `CqrsSqlReadModel`. */
export interface CqrsSqlReadModelProps {
  /** The projections that write the read model's tables: at least one. */
  readonly projections: SqlProjectionProps[];

  /**
   * A query function bundled from your queries module (`defineSqlQueries<Tables>()(...)`).
   *
   * @default - no query function
   */
  readonly queries?: SqlQueriesProps;

  /**
   * An existing Aurora PostgreSQL cluster to keep the tables in, instead of a new one. Its RDS
   * Data API must be enabled, and the database `databaseName` must exist. Give `secret` with it.
   *
   * @default - a new Aurora PostgreSQL Serverless v2 cluster
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html
   */
  readonly cluster?: rds.IDatabaseCluster;

  /**
   * The Secrets Manager secret (user name and password) that the Data API connects to `cluster`
   * with, given by its full ARN (`Secret.fromSecretCompleteArn`, or `Secret.fromSecretAttributes`
   * with `encryptionKey` when a customer managed key encrypts it). Only with `cluster`.
   *
   * @default - the secret generated for the new cluster
   */
  readonly secret?: secretsmanager.ISecret;

  /**
   * The database the tables are in; with a new cluster, it is created.
   *
   * @default 'cqrs'
   */
  readonly databaseName?: string;

  /**
   * The VPC of a new cluster. The functions need none: they reach the cluster through the
   * Data API.
   *
   * @default - a VPC of its own: 2 Availability Zones, isolated subnets only, no NAT gateway
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Where in `vpc` a new cluster goes: never in public subnets.
   *
   * @default - the isolated subnets of `vpc` if it has any, else its private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The fewest Aurora capacity units (ACUs) of a new cluster (0 to 256, in steps of 0.5). At 0
   * the cluster pauses when idle, and costs no compute until the next request resumes it.
   *
   * @default 0
   */
  readonly minCapacity?: number;

  /**
   * The most Aurora capacity units (ACUs) of a new cluster (1 to 256, in steps of 0.5).
   *
   * @default 4
   */
  readonly maxCapacity?: number;

  /**
   * Deletion protection of a new cluster.
   *
   * @default true
   */
  readonly deletionProtection?: boolean;

  /**
   * What happens to a new cluster (with its secret), its VPC's flow log group and the functions'
   * log groups, when they are removed from the stack or the stack is deleted. `SNAPSHOT` takes a
   * final snapshot of the cluster and retains the rest.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * A customer managed KMS key that encrypts a new cluster's storage and its secret, and the
   * projections' queues.
   *
   * @default - AWS managed keys: RDS's for the storage, Secrets Manager's for the secret, SQS
   * managed (SSE-SQS) for the queues
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long the functions' logs, and the VPC's flow logs, are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A SQL projection, as `CqrsSqlReadModel` provisioned it: a rule on each source aggregate's
 * bus, one queue with a dead-letter queue, a projector function, and alarms.
 */
export interface ISqlProjection extends IConstruct {
  /** The projection's name. */
  readonly projectionName: string;
  /** Per source aggregate (by `aggregateName`), the event types its rule matches, read from the module. */
  readonly sourceEventTypes: { [aggregateName: string]: string[] };
  /** The rules that route the sources' events to `queue`, one per source, in the order of `sources`. */
  readonly rules: events.IRule[];
  /** The queue of events waiting to be projected. */
  readonly queue: sqs.IQueue;
  /** Where events go that could not be projected after `maxReceiveCount` receives, or not be delivered to `queue`. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The function that applies the queued events to the tables. */
  readonly projector: lambda.IFunction;
  /** The projection's alarms (DLQ not empty or projector errors, lag), with no actions: add yours. */
  readonly alarms: cloudwatch.AlarmBase[];

  /**
   * The AWS CLI command that rebuilds the projection's tables from its sources' event stores: it
   * invokes `projector` asynchronously with `{"rebuild":{"totalSegments":4}}`. The projector
   * fills a new generation of the tables while live projection goes on, then switches to it.
   */
  readonly rebuildCommand: string;

  /** How far the tables are behind: the queue's `ApproximateAgeOfOldestMessage`, in seconds. Maximum over 1 minute. */
  metricLag(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Events in the dead-letter queue: its `ApproximateNumberOfMessagesVisible`. Maximum over 1 minute. */
  metricDeadLetterMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric;

  /** Failed invocations of the projector: its `Errors`. Sum over 1 minute. */
  metricProjectorErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** The defaults of `CqrsSqlReadModelProps`, applied once by `CqrsSqlReadModel`. */
export const SQL_READ_MODEL_DEFAULTS = {
  databaseName: 'cqrs',
  minCapacity: 0,
  maxCapacity: 4,
  deletionProtection: true,
  removalPolicy: RemovalPolicy.RETAIN,
  logRetention: logs.RetentionDays.ONE_MONTH,
  queryMemorySize: 256,
  queryTimeout: Duration.seconds(30),
};
