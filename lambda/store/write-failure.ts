import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isRecord } from '../shared/guards';

/** What a failed conditional write tells us about each item it tried to write. */
export interface WriteFailure {
  /** Indexes (in write order) of the items whose condition failed. */
  readonly failedConditions: readonly number[];
  /** The transaction collided with another one on the same items: safe to retry like a conflict. */
  readonly transactionConflict: boolean;
  /**
   * The items that stood in the way, by index (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`),
   * so the caller learns who holds a slot without a second read.
   */
  readonly existing: ReadonlyMap<number, Record<string, unknown>>;
}

/** DynamoDB returns the old item in its wire format, even to a document client. */
const oldItem = (value: unknown): Record<string, unknown> | undefined =>
  (isRecord(value) ? unmarshall(value as Record<string, AttributeValue>) : undefined);

/**
 * Recognises a rejected conditional write: a ConditionalCheckFailedException for a single
 * put, or a TransactionCanceledException whose CancellationReasons say which item failed.
 * Returns undefined for any other error (an infrastructure fault).
 */
export function asWriteFailure(err: unknown, itemCount: number): WriteFailure | undefined {
  if (!isRecord(err)) return undefined;
  if (err.name === 'ConditionalCheckFailedException') {
    const item = oldItem(err.Item);
    return {
      failedConditions: Array.from({ length: itemCount }, (_, index) => index),
      transactionConflict: false,
      existing: new Map(item ? [[0, item]] : []),
    };
  }
  if (err.name !== 'TransactionCanceledException' || !Array.isArray(err.CancellationReasons)) return undefined;
  const reasons: unknown[] = err.CancellationReasons;
  const codes = reasons.map((reason) => (isRecord(reason) ? reason.Code : undefined));
  const failedConditions = codes.flatMap((code, index) => (code === 'ConditionalCheckFailed' ? [index] : []));
  const transactionConflict = codes.includes('TransactionConflict');
  if (failedConditions.length === 0 && !transactionConflict) return undefined;
  const existing = new Map<number, Record<string, unknown>>();
  reasons.forEach((reason, index) => {
    const item = isRecord(reason) ? oldItem(reason.Item) : undefined;
    if (item) existing.set(index, item);
  });
  return { failedConditions, transactionConflict, existing };
}
