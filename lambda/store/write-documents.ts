import { PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conditionBytes, itemBytes, MAX_ITEM_BYTES, MAX_TRANSACTION_BYTES } from './item-size';
import type { WriteCondition } from './read-model-item';
import { asWriteFailure } from './write-failure';

/** One document to write, on the condition that it is still what the writer read. */
export interface DocumentWrite {
  readonly item: Record<string, unknown>;
  readonly condition: WriteCondition;
}

/**
 * What became of one write: it landed; its condition failed (another writer changed the document
 * since it was read: read it again); or it failed for another reason and may not have landed.
 */
export type WriteOutcome = { readonly kind: 'written' } | { readonly kind: 'conflict' } | { readonly kind: 'fault'; readonly error: unknown };

/** DynamoDB's most items in one TransactWriteItems. */
const ITEMS_PER_TRANSACTION = 100;

/**
 * Writes documents of distinct keys, each on its own condition, in as few requests as it can: one
 * TransactWriteItems per 100 items and 4 MB, a lone item as a PutItem (half the write units of a
 * transaction's item), an item that may pass 400 KB alone as a PutItem (DynamoDB refuses it
 * alone, and a transaction holding it would fail every item with it).
 *
 * A transaction is all or nothing, so when it is cancelled or fails (a condition, a conflict with
 * another transaction, throttling, a fault) its items are written again one by one, each on its
 * own condition: one document's conflict or fault never fails the others. An item whose condition
 * the cancellation names is not tried again: it is a conflict. The outcomes are in the order of
 * `writes`.
 *
 * A retry is harmless: the SDK retries a transaction whose answer was lost with the same client
 * request token (DynamoDB applies it once), and a write that landed before a fault fails its
 * condition when tried again, which the caller reads as a conflict and resolves by reading.
 */
export async function writeDocuments(client: DynamoDBDocumentClient, tableName: string, writes: readonly DocumentWrite[]): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = new Array<WriteOutcome>(writes.length);
  const groups = transactionGroups(writes);
  await Promise.all(groups.map(async (group) => {
    const results = group.length === 1
      ? [await putDocument(client, tableName, writes[group[0]])]
      : await transactDocuments(client, tableName, group.map((index) => writes[index]));
    group.forEach((index, position) => { outcomes[index] = results[position]; });
  }));
  return outcomes;
}

/** The writes' indexes in groups of at most 100 items and 4 MB (with their conditions); an item that may pass 400 KB is a group of its own. */
function transactionGroups(writes: readonly DocumentWrite[]): number[][] {
  const groups: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  writes.forEach((write, index) => {
    const itemSize = itemBytes(write.item);
    if (itemSize > MAX_ITEM_BYTES) {
      groups.push([index]);
      return;
    }
    // A transaction's size counts each Put's condition as well as its item.
    const size = itemSize + conditionBytes(write.condition);
    if (current.length === ITEMS_PER_TRANSACTION || bytes + size > MAX_TRANSACTION_BYTES) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  });
  if (current.length > 0) groups.push(current);
  return groups;
}

async function transactDocuments(client: DynamoDBDocumentClient, tableName: string, writes: readonly DocumentWrite[]): Promise<WriteOutcome[]> {
  try {
    await client.send(new TransactWriteCommand({ TransactItems: writes.map(({ item, condition }) => ({ Put: { TableName: tableName, Item: item, ...condition } })) }));
    return writes.map(() => ({ kind: 'written' }));
  } catch (err) {
    // The items whose condition the cancellation names; a failure that names none (throttled, a fault) says nothing of any condition.
    const failedConditions = new Set(asWriteFailure(err, writes.length)?.failedConditions ?? []);
    return Promise.all(writes.map((write, index) => (failedConditions.has(index) ? { kind: 'conflict' as const } : putDocument(client, tableName, write))));
  }
}

async function putDocument(client: DynamoDBDocumentClient, tableName: string, { item, condition }: DocumentWrite): Promise<WriteOutcome> {
  try {
    await client.send(new PutCommand({ TableName: tableName, Item: item, ...condition }));
    return { kind: 'written' };
  } catch (error) {
    return asWriteFailure(error, 1) ? { kind: 'conflict' } : { kind: 'fault', error };
  }
}
