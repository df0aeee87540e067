/**
 * The names that the constructs (lib/) set and the runtime (lambda/) reads, defined once.
 *
 * This file has no imports so that the runtime can include it without pulling in aws-cdk-lib.
 */

/** Environment variables of the generated Lambda functions. */
export const ENV = {
  /** Name of the event-store table. */
  eventStoreTable: 'CQRS_EVENT_STORE_TABLE',
  /** The aggregate's name, as given to `CqrsAggregate`. */
  aggregateName: 'CQRS_AGGREGATE_NAME',
  /** Write a snapshot every this many events. */
  snapshotEvery: 'CQRS_SNAPSHOT_EVERY',
  /** How many times a command without `expectedVersion` is re-decided after a version conflict. */
  maxConflictRetries: 'CQRS_MAX_CONFLICT_RETRIES',
  /** Name of the EventBridge bus that stored events are published to. */
  eventBusName: 'CQRS_EVENT_BUS_NAME',
  /** The `source` of the events on the bus: `<namespace>.<aggregateName>`. */
  eventSource: 'CQRS_EVENT_SOURCE',
  /** How long an idempotency record is kept, in seconds. */
  idempotencyTtlSeconds: 'CQRS_IDEMPOTENCY_TTL_SECONDS',
  /** Name of the read-model table (projectors and the query function). */
  readModelTable: 'CQRS_READ_MODEL_TABLE',
  /** The projection's name, as given in `projections` (projectors). */
  projectionName: 'CQRS_PROJECTION_NAME',
  /** Name of the session table; set only with `readYourWrites`. */
  sessionTable: 'CQRS_SESSION_TABLE',
  /** How long a session entry is kept, in seconds (`readYourWrites.ttl`). */
  sessionTtlSeconds: 'CQRS_SESSION_TTL_SECONDS',
  /** What the function is, one of `FUNCTION_ROLES`: the local runtime reads it rather than guessing from the other variables. */
  functionRole: 'CQRS_FUNCTION_ROLE',
  /** SQL read models: the ARN of the Aurora cluster, reached through the RDS Data API. */
  sqlClusterArn: 'CQRS_SQL_CLUSTER_ARN',
  /** SQL read models: the ARN of the Secrets Manager secret the Data API connects with. */
  sqlSecretArn: 'CQRS_SQL_SECRET_ARN',
  /** SQL read models: the database's name in the cluster. */
  sqlDatabase: 'CQRS_SQL_DATABASE',
  /**
   * SQL projectors: the aggregates whose events the projection reads, as JSON
   * `{"<aggregateName>": "<event-store table name>"}` (gaps are filled and rebuilds read from them).
   */
  sqlSources: 'CQRS_SQL_SOURCES',
  /** SQL query functions: the names of the read model's projections, as a JSON array (their tables are what queries read). */
  sqlProjections: 'CQRS_SQL_PROJECTIONS',
} as const;

/** The values of `ENV.functionRole`: one per kind of function the constructs create. */
export const FUNCTION_ROLES = {
  commandHandler: 'command-handler',
  publisher: 'publisher',
  projector: 'projector',
  queryHandler: 'query-handler',
  projectionReader: 'projection-reader',
  sqlProjector: 'sql-projector',
  sqlQueryHandler: 'sql-query-handler',
  sqlMigrator: 'sql-migrator',
} as const;

export type FunctionRole = typeof FUNCTION_ROLES[keyof typeof FUNCTION_ROLES];

/**
 * The metric of HTTP faults: each fault answered as a 500 is logged as an Embedded Metric Format
 * line with this metric, as Lambda's Errors metric never sees a fault that is answered rather than thrown.
 */
export const HTTP_FAULT_METRIC = { namespace: 'cdk-cqrs', metricName: 'HttpFaults', dimension: 'FunctionName' } as const;

/** Attribute names and values of the items in the event-store table. */
export const EVENT_STORE = {
  /** Partition key: the aggregate id (idempotency records: `#command#` and the two ids, each after its length; lambda/store/keys.ts). */
  partitionKey: 'pk',
  /** Sort key: the version, a number (as strings, version "10" would sort before "9"). */
  sortKey: 'sk',
  /** What an item is: one of the `kinds`. The outbox publishes only `event` items. */
  kindAttribute: 'kind',
  kinds: { event: 'event', snapshot: 'snapshot', command: 'command' },
  /** Epoch seconds after which DynamoDB TTL may delete an item (idempotency records only). */
  ttlAttribute: 'expiresAt',
  /**
   * The attributes of an event item, all a read of events asks for (a `ProjectionExpression`):
   * a reader of its own writes is granted only these, so a snapshot's `state` stays hidden.
   */
  eventAttributes: ['pk', 'sk', 'kind', 'aggregateName', 'type', 'data', 'metadata'],
} as const;

/**
 * Attribute names of the read-model table. A projection keeps one document per aggregate at
 * (`pk` = aggregate id, `sk` = projection name), with the version of the last event applied.
 */
export const READ_MODEL = {
  partitionKey: 'pk',
  sortKey: 'sk',
  versionAttribute: 'version',
  viewAttribute: 'view',
  /**
   * `true` on a tombstone: the view was deleted (a handler returned null). The item keeps its
   * version so that a late duplicate of an older event cannot bring the document back.
   */
  deletedAttribute: 'deleted',
  /**
   * The code version of the projection that built the document (a short hash of its handlers and
   * index mappers). Projection code never extends a document that other code built: it folds the
   * aggregate again from its first event. A document without it was written before it existed.
   */
  codeAttribute: 'codeVersion',
} as const;

/**
 * Attribute names of the session table (read-your-writes). Each successful command sent with a
 * `sessionId` writes one entry, in the transaction that stores its events, at
 * (`pk` = session id, `sk` = `<aggregateName>#<length>:<aggregateId>#<last version, 10 digits>`; lambda/store/keys.ts).
 */
export const SESSION_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
} as const;

/** The key attributes a projection writes for a read-model index (GSI) named `indexName`. */
export const readModelIndexKeys = (indexName: string) => ({ partitionKey: `${indexName}_pk`, sortKey: `${indexName}_sk` });

/** EventBridge accepts at most 256 KB per entry (detail, detail-type, source and resources together). */
export const MAX_EVENT_ENTRY_BYTES = 256 * 1024;

/**
 * The environment a function that uses an aggregate's clients gets from `CqrsAggregate.connect`:
 * `CQRS_<aggregateName>_<part>`. An aggregate name is letters and digits, so no name and part
 * can be read two ways, and one function can hold the variables of several aggregates.
 */
export const CLIENT_ENV_PARTS = {
  commandFunction: 'COMMAND_FUNCTION',
  queryFunction: 'QUERY_FUNCTION',
  readModelTable: 'READ_MODEL_TABLE',
  sessionTable: 'SESSION_TABLE',
  eventStoreTable: 'EVENT_STORE_TABLE',
} as const;

export type ClientEnvPart = keyof typeof CLIENT_ENV_PARTS;

/** The variable that holds `part` of the aggregate named `aggregateName`. */
export function clientEnvName(aggregateName: string, part: ClientEnvPart): string {
  return `CQRS_${aggregateName}_${CLIENT_ENV_PARTS[part]}`;
}

/**
 * SQL read models (`CqrsSqlReadModel`). Each projection keeps its tables in a PostgreSQL schema of
 * its own per generation (`<projection>_g<n>`, lower case); a rebuild fills a new generation and
 * switches. The registry of generations is in `registrySchema`.
 */
export const SQL_READ_MODEL = {
  /** The schema cdk-cqrs keeps its own tables in (generations); never one of the user's. */
  registrySchema: 'cdk_cqrs',
  /** The CloudFormation type of the custom resource that applies a read model's migrations at deploy. */
  migrationsResourceType: 'Custom::CqrsSqlMigrations',
} as const;
