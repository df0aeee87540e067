import { isRecord } from '../shared/guards';

/** What a failed conditional write tells us about each item it tried to write. */
export interface WriteFailure {
  /** Indexes (in write order) of the items whose condition failed. */
  readonly failedConditions: readonly number[];
  /** The transaction collided with another one on the same items: safe to retry like a conflict. */
  readonly transactionConflict: boolean;
}

/**
 * Recognises a rejected conditional write: a ConditionalCheckFailedException for a single
 * put, or a TransactionCanceledException whose CancellationReasons say which item failed.
 * Returns undefined for any other error (an infrastructure fault).
 */
export function asWriteFailure(err: unknown, itemCount: number): WriteFailure | undefined {
  if (!isRecord(err)) return undefined;
  if (err.name === 'ConditionalCheckFailedException') {
    return { failedConditions: Array.from({ length: itemCount }, (_, index) => index), transactionConflict: false };
  }
  if (err.name !== 'TransactionCanceledException' || !Array.isArray(err.CancellationReasons)) return undefined;
  const codes = err.CancellationReasons.map((reason: unknown) => (isRecord(reason) ? reason.Code : undefined));
  const failedConditions = codes.flatMap((code, index) => (code === 'ConditionalCheckFailed' ? [index] : []));
  const transactionConflict = codes.includes('TransactionConflict');
  if (failedConditions.length === 0 && !transactionConflict) return undefined;
  return { failedConditions, transactionConflict };
}
