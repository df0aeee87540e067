import {
  GetCommand, PutCommand, QueryCommand, TransactWriteCommand,
  type DynamoDBDocumentClient, type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { EVENT_STORE } from '../../lib/private/runtime-contract';
import type { EventEnvelope } from '../shared/envelope';
import { ValidationError } from '../shared/errors';
import {
  fromEventItem, fromIdempotencyItem, fromSnapshotItem, idempotencyRecordKey, isKind, toEventItem, toIdempotencyItem, toSnapshotItem,
  type IdempotencyRecord, type Item, type Snapshot,
} from './event-items';
import { conditionBytes, itemBytes, MAX_ITEM_BYTES, MAX_TRANSACTION_BYTES } from './item-size';
import { asWriteFailure } from './write-failure';

export { fromEventItem, toEventItem, type IdempotencyRecord, type Snapshot };

const { partitionKey: PK, sortKey: SK, eventAttributes: EVENT_ATTRIBUTES } = EVENT_STORE;

/** An event slot (pk, version) is free: no other command has written that version. */
export const versionIsFree = `attribute_not_exists(${PK})`;
/** No idempotency record exists yet for this commandId. */
export const commandIsNew = `attribute_not_exists(${PK})`;

/** A DynamoDB transaction holds at most 100 items. */
export const MAX_ITEMS_PER_TRANSACTION = 100;

export interface LoadedStream {
  /** The latest snapshot of the caller's code (if any) and the events after it, oldest first. */
  readonly snapshot?: Snapshot;
  readonly events: readonly EventEnvelope[];
  readonly version: number;
  /** How many items the Query read (tests assert the snapshot bound). */
  readonly itemsRead: number;
  /** A newer snapshot of other code was passed over: a fresh one would spare the next load the history. */
  readonly passedStaleSnapshot: boolean;
}

export type AppendOutcome =
  | { readonly outcome: 'appended' }
  | { readonly outcome: 'conflict' }
  /** The commandId's record exists: `record` is what the failed write returned of it. */
  | { readonly outcome: 'duplicate'; readonly record?: IdempotencyRecord };

export interface AppendRequest {
  readonly aggregateId: string;
  readonly events: readonly EventEnvelope[];
  readonly idempotency?: { readonly commandId: string; readonly fingerprint: string; readonly expiresAt: number };
  /** A read-your-writes entry, written to the session table in the same transaction. */
  readonly sessionEntry?: { readonly tableName: string; readonly item: Item };
}

export class EventStore {
  constructor(private readonly client: DynamoDBDocumentClient, private readonly tableName: string, private readonly snapshotEvery: number) {}

  /**
   * Reads newest to oldest until the latest snapshot of `codeVersion` (or the first event), in one
   * strongly consistent Query. A snapshot is written whenever a command crosses a multiple of
   * snapshotEvery, so at most snapshotEvery - 1 events follow it: one page of snapshotEvery items
   * holds it all (unless over 1 MB). A snapshot of other code is passed over, and the reading
   * goes on: the state it holds is not one this code would fold.
   */
  async load(aggregateId: string, codeVersion: string): Promise<LoadedStream> {
    const newestFirst: EventEnvelope[] = [];
    let snapshot: Snapshot | undefined;
    let passedStaleSnapshot = false;
    let itemsRead = 0;
    let startKey: Item | undefined;
    do {
      const page = await this.newestFirst(aggregateId, this.snapshotEvery > 0 ? this.snapshotEvery : undefined, startKey);
      for (const item of page.Items ?? []) {
        itemsRead += 1;
        if (isKind(item, 'snapshot')) {
          const found = fromSnapshotItem(item);
          if (found.codeVersion === codeVersion) {
            snapshot = found;
            break;
          }
          passedStaleSnapshot = true;
        } else {
          newestFirst.push(fromEventItem(item));
        }
      }
      startKey = snapshot ? undefined : page.LastEvaluatedKey;
    } while (startKey);
    const events = newestFirst.reverse();
    const version = events.length > 0 ? events[events.length - 1].version : snapshot?.version ?? 0;
    return { snapshot, events, version, itemsRead, passedStaleSnapshot };
  }

  /** The aggregate's current version, from its newest item (an event or a snapshot). */
  async currentVersion(aggregateId: string): Promise<number> {
    const page = await this.newestFirst(aggregateId, 1);
    const newest = page.Items?.[0];
    return newest ? Math.floor(newest[SK] as number) : 0;
  }

  /** One page of an aggregate's items, newest first, strongly consistent. */
  private newestFirst(aggregateId: string, limit: number | undefined, startKey?: Item): Promise<QueryCommandOutput> {
    return this.client.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': PK },
      ExpressionAttributeValues: { ':pk': aggregateId },
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }));
  }

  /** Events firstVersion..lastVersion, oldest first (snapshots in between are skipped). */
  async readRange(aggregateId: string, firstVersion: number, lastVersion: number): Promise<EventEnvelope[]> {
    // An empty range holds no events. DynamoDB would refuse its BETWEEN, and a caller's off-by-one must then show
    // in the events it gets (which the callers check), not as a refused request that hides it from their tests.
    if (firstVersion > lastVersion) return [];
    const events: EventEnvelope[] = [];
    let startKey: Item | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :first AND :last',
        // Only the event attributes: a reader of its own writes may read no others (no snapshot state).
        ProjectionExpression: EVENT_ATTRIBUTES.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK, ...Object.fromEntries(EVENT_ATTRIBUTES.map((name, i) => [`#a${i}`, name])) },
        ExpressionAttributeValues: { ':pk': aggregateId, ':first': firstVersion, ':last': lastVersion },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }));
      for (const item of page.Items ?? []) {
        if (isKind(item, 'event')) events.push(fromEventItem(item));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return events;
  }

  async getIdempotencyRecord(aggregateId: string, commandId: string): Promise<IdempotencyRecord | undefined> {
    const { Item: item } = await this.client.send(new GetCommand({
      TableName: this.tableName, Key: idempotencyRecordKey(aggregateId, commandId), ConsistentRead: true,
    }));
    return item ? fromIdempotencyItem(item) : undefined;
  }

  /**
   * Writes a command's events (and its idempotency record and session entry) in one write: a
   * conditional Put for a single item, a transaction for several. Every event slot must be free.
   *
   * A failed condition on our own first event means our write landed and only its answer was
   * lost (the SDK retried a Put whose first try DynamoDB had applied): that is an append, not a
   * conflict, or the command would be decided and stored again.
   */
  async append(request: AppendRequest): Promise<AppendOutcome> {
    const { events, idempotency } = request;
    const puts: { item: Item; condition: string }[] = events.map((event) => ({ item: toEventItem(event), condition: versionIsFree }));
    const idempotencyIndex = idempotency ? puts.length : -1;
    if (idempotency) {
      const record = { firstVersion: events[0].version, lastVersion: events[events.length - 1].version, fingerprint: idempotency.fingerprint };
      puts.push({ item: toIdempotencyItem(request.aggregateId, idempotency.commandId, record, idempotency.expiresAt), condition: commandIsNew });
    }
    // The session entry counts as an item of the write: with it, even one event needs a transaction.
    const sessionPut = request.sessionEntry && { Put: { TableName: request.sessionEntry.tableName, Item: request.sessionEntry.item } };
    checkWriteSize([...puts, ...(sessionPut ? [{ item: sessionPut.Put.Item }] : [])]);
    try {
      if (puts.length === 1 && !sessionPut) {
        await this.client.send(new PutCommand({
          TableName: this.tableName, Item: puts[0].item, ConditionExpression: puts[0].condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }));
      } else {
        await this.client.send(new TransactWriteCommand({
          TransactItems: [
            ...puts.map(({ item, condition }) => ({
              Put: { TableName: this.tableName, Item: item, ConditionExpression: condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const },
            })),
            ...(sessionPut ? [sessionPut] : []),
          ],
        }));
      }
    } catch (err) {
      const failure = asWriteFailure(err, puts.length);
      if (!failure) throw err;
      const firstSlot = failure.existing.get(0);
      if (firstSlot && (firstSlot.metadata as { eventId?: unknown } | undefined)?.eventId === events[0].metadata.eventId) return { outcome: 'appended' };
      if (failure.failedConditions.includes(idempotencyIndex)) {
        const record = failure.existing.get(idempotencyIndex);
        return { outcome: 'duplicate', record: record && fromIdempotencyItem(record) };
      }
      return { outcome: 'conflict' };
    }
    return { outcome: 'appended' };
  }

  /**
   * Writes a snapshot on its own, after the command's write: it is derived data, so a snapshot
   * that cannot be written (over DynamoDB's 400 KB item limit, or a fault) never stops a command;
   * loads then fold more events. Unconditional: a snapshot of the same version and code holds
   * the same state, and one of other code is replaced.
   */
  async writeSnapshot(aggregateId: string, snapshot: Snapshot): Promise<{ readonly written: boolean; readonly bytes: number }> {
    const item = toSnapshotItem(aggregateId, snapshot);
    const bytes = itemBytes(item);
    if (bytes > MAX_ITEM_BYTES) return { written: false, bytes };
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
    return { written: true, bytes };
  }
}

/** Refuses, before the write, a write DynamoDB would refuse for its size: an item over 400 KB, or items and conditions over 4 MB. */
function checkWriteSize(puts: readonly { readonly item: Item; readonly condition?: string }[]): void {
  let total = 0;
  for (const { item, condition } of puts) {
    const bytes = itemBytes(item);
    total += bytes + conditionBytes({ ConditionExpression: condition });
    if (bytes > MAX_ITEM_BYTES) {
      throw new ValidationError(`The command's write holds an item of ${bytes} bytes; DynamoDB items hold at most ${MAX_ITEM_BYTES}. Split the command.`);
    }
  }
  if (total > MAX_TRANSACTION_BYTES) {
    throw new ValidationError(`The command's write holds ${total} bytes with its conditions; a DynamoDB transaction holds at most ${MAX_TRANSACTION_BYTES}. Split the command.`);
  }
}
