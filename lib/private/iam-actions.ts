/**
 * IAM actions granted by the constructs, one named list per need.
 *
 * `TransactWriteItems` is not an IAM action: each item of a transaction is authorised as its
 * own action (a `Put` as `dynamodb:PutItem`, a `ConditionCheck` as `dynamodb:ConditionCheckItem`).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 */

/**
 * What the command handler does with the event store: read an aggregate's items (a query of the
 * snapshot and the events after it, a get of an idempotency record) and append new items.
 *
 * No `UpdateItem` or `DeleteItem`: the store is append-only, and its writer cannot change history.
 */
export const EVENT_STORE_COMMAND_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:ConditionCheckItem',
];

/**
 * What the publisher does with the bus: put the aggregate's events on it. Granted only for the
 * aggregate's own `source` (the `events:source` condition key, checked per entry by EventBridge),
 * so the publisher cannot put events in another aggregate's name on a shared bus.
 */
export const EVENT_BUS_PUBLISH_ACTIONS = ['events:PutEvents'];

/**
 * What the publisher does with the event store to republish (lambda/write/republish-events.ts): a
 * parallel Scan that finds the aggregates with events in a time window, and a strongly consistent
 * Query of each one's events. Read only: the publisher never writes history.
 */
export const EVENT_STORE_REPUBLISH_ACTIONS = ['dynamodb:Scan', 'dynamodb:Query'];

/** What a function needs to write to its own log group. */
export const LOG_WRITE_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/** What DynamoDB needs of a customer managed key to read and write items for the command handler. */
export const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];

/** What the command handler does with the session table: put one entry per command (read-your-writes). */
export const SESSION_WRITE_ACTIONS = ['dynamodb:PutItem'];

/**
 * What a projector does with the event store: query the events it missed, strongly consistent,
 * in one aggregate's partition. Read only: a projector never writes history.
 */
export const EVENT_STORE_PROJECTOR_ACTIONS = ['dynamodb:Query'];

/**
 * What a projector's rebuild does with the event store, beside the projector's own queries: a
 * parallel Scan of the base table that finds the aggregates (lambda/projection/rebuild-projection.ts). Its writes to
 * the read model are the projector's conditional puts.
 */
export const EVENT_STORE_REBUILD_ACTIONS = ['dynamodb:Scan'];

/** What a projector's rebuild, or a republish, does with its own function: invoke it again, asynchronously, to go on. */
export const SELF_INVOKE_ACTIONS = ['lambda:InvokeFunction'];

/**
 * What a projector does with the read model: read a batch's documents (one `BatchGetItem`), then
 * put them back with a condition on their version, in a transaction (each of its puts is
 * authorised as `dynamodb:PutItem`) or alone. No `DeleteItem`: a deleted view is written as a
 * tombstone that keeps its version (`READ_MODEL.deletedAttribute`), so no projector can erase a
 * version and let a late duplicate bring the document back. No `Scan`, `UpdateItem` or batch
 * writes (they take no condition). These are exactly the calls of the runtime's projector
 * (lambda/projection/project-messages.ts).
 */
export const READ_MODEL_PROJECTOR_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:PutItem'];

/**
 * What a projection with custom writes (`defineCustomProjection`) may do on the read model and
 * its indexes: its handlers choose their own reads and writes. Still no `Scan` and no other table.
 */
export const READ_MODEL_CUSTOM_WRITE_ACTIONS = [
  'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem',
];

/** What `grantReadModel` allows on the read model and its indexes: reads by key and queries, no scans. */
/** A projection reader: one document by its key, nothing else (no lists, no scans). */
export const READ_MODEL_DOCUMENT_ACTIONS = ['dynamodb:GetItem'];
export const READ_MODEL_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];

/** What DynamoDB needs of a customer managed key to return items to a reader. */
export const TABLE_KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];

/**
 * What a reader of its own writes (`grantReadYourWrites`) does beside reading the read model:
 * query its session's entries, and query the events between the read model and those entries
 * from the event store (strongly consistent, one aggregate's partition). Read only.
 */
export const SESSION_READ_ACTIONS = ['dynamodb:Query'];
export const EVENT_STORE_READER_ACTIONS = ['dynamodb:Query'];

/**
 * What every function of a SQL read model does with its cluster, through the RDS Data API:
 * statements, batches, and transactions (a projector commits each aggregate's events with its
 * checkpoint in one). The Data API cannot narrow these to a database or to reads: the query
 * function's read-only transactions are the runtime's.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.access.html
 */
export const DATA_API_ACTIONS = [
  'rds-data:ExecuteStatement',
  'rds-data:BatchExecuteStatement',
  'rds-data:BeginTransaction',
  'rds-data:CommitTransaction',
  'rds-data:RollbackTransaction',
];

/** What the Data API needs of the caller for the cluster's secret: its value, read with the caller's own permissions. */
export const SECRET_READ_ACTIONS = ['secretsmanager:GetSecretValue'];

/** What Secrets Manager needs of a customer managed key to give a caller the secret's value. */
export const SECRET_KEY_ACTIONS = ['kms:Decrypt'];
