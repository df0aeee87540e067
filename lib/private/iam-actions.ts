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

/** What a function needs to write to its own log group. */
export const LOG_WRITE_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/** What DynamoDB needs of a customer managed key to read and write items for the command handler. */
export const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];

/** What the command handler does with the session table: put one entry per command (read-your-writes). */
export const SESSION_WRITE_ACTIONS = ['dynamodb:PutItem'];
