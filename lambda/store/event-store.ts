import {
  GetCommand, PutCommand, QueryCommand, TransactWriteCommand,
  type DynamoDBDocumentClient, type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { EVENT_STORE } from '../../lib/private/runtime-contract';
import type { EventEnvelope } from '../shared/envelope';
import { asWriteFailure } from './write-failure';

const { partitionKey: PK, sortKey: SK, kindAttribute: KIND, kinds: KINDS, ttlAttribute: TTL } = EVENT_STORE;

/** An event slot (pk, version) is free: no other command has written that version. */
export const versionIsFree = `attribute_not_exists(${PK})`;
/** No idempotency record exists yet for this commandId. */
export const commandIsNew = `attribute_not_exists(${PK})`;

/** A DynamoDB transaction holds at most 100 items. */
export const MAX_ITEMS_PER_TRANSACTION = 100;

export interface Snapshot {
  readonly version: number;
  readonly state: unknown;
}

export interface IdempotencyRecord {
  readonly firstVersion: number;
  readonly lastVersion: number;
}

export interface LoadedStream {
  /** The latest snapshot (if any) and the events after it, oldest first. */
  readonly snapshot?: Snapshot;
  readonly events: readonly EventEnvelope[];
  readonly version: number;
  /** How many items the Query read (tests assert the snapshot bound). */
  readonly itemsRead: number;
}

export type AppendOutcome = { readonly outcome: 'appended' } | { readonly outcome: 'conflict' } | { readonly outcome: 'duplicate' };

export interface AppendRequest {
  readonly aggregateId: string;
  readonly events: readonly EventEnvelope[];
  readonly snapshot?: Snapshot;
  readonly idempotency?: { readonly commandId: string; readonly expiresAt: number };
  /** A read-your-writes entry, written to the session table in the same transaction. */
  readonly sessionEntry?: { readonly tableName: string; readonly item: Item };
}

export const idempotencyKey = (aggregateId: string, commandId: string): string => `${aggregateId}#command#${commandId}`;

type Item = Record<string, unknown>;

/** The sort key of a snapshot: between event `version` and `version + 1` (sk is a number). */
const snapshotSortKey = (version: number): number => version + 0.5;

export function toEventItem(event: EventEnvelope): Item {
  return {
    [PK]: event.aggregateId, [SK]: event.version, [KIND]: KINDS.event,
    aggregateName: event.aggregateName, type: event.type, data: event.data, metadata: event.metadata,
  };
}

export function fromEventItem(item: Item): EventEnvelope {
  return {
    aggregateName: item.aggregateName as string,
    aggregateId: item[PK] as string,
    version: item[SK] as number,
    type: item.type as string,
    data: item.data,
    metadata: item.metadata as EventEnvelope['metadata'],
  };
}

export class EventStore {
  constructor(private readonly client: DynamoDBDocumentClient, private readonly tableName: string, private readonly snapshotEvery: number) {}

  /**
   * Reads newest to oldest until the latest snapshot (or the first event), in one strongly consistent Query.
   *
   * A snapshot is written whenever a command crosses a multiple of snapshotEvery, so at most
   * snapshotEvery - 1 events follow it: one page of snapshotEvery items holds it all (unless over 1 MB).
   */
  async load(aggregateId: string): Promise<LoadedStream> {
    const newestFirst: EventEnvelope[] = [];
    let snapshot: Snapshot | undefined;
    let itemsRead = 0;
    let startKey: Item | undefined;
    do {
      const page = await this.newestFirst(aggregateId, this.snapshotEvery > 0 ? this.snapshotEvery : undefined, startKey);
      for (const item of page.Items ?? []) {
        itemsRead += 1;
        if (item[KIND] === KINDS.snapshot) {
          snapshot = { version: item.version as number, state: item.state };
          break;
        }
        newestFirst.push(fromEventItem(item));
      }
      startKey = snapshot ? undefined : page.LastEvaluatedKey;
    } while (startKey);
    const events = newestFirst.reverse();
    const version = events.length > 0 ? events[events.length - 1].version : snapshot?.version ?? 0;
    return { snapshot, events, version, itemsRead };
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
    const events: EventEnvelope[] = [];
    let startKey: Item | undefined;
    do {
      const page: QueryCommandOutput = await this.client.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :first AND :last',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: { ':pk': aggregateId, ':first': firstVersion, ':last': lastVersion },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }));
      for (const item of page.Items ?? []) {
        if (item[KIND] === KINDS.event) events.push(fromEventItem(item));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return events;
  }

  async getIdempotencyRecord(aggregateId: string, commandId: string): Promise<IdempotencyRecord | undefined> {
    const { Item: item } = await this.client.send(new GetCommand({
      TableName: this.tableName,
      Key: { [PK]: idempotencyKey(aggregateId, commandId), [SK]: 0 },
      ConsistentRead: true,
    }));
    if (!item) return undefined;
    return { firstVersion: item.firstVersion as number, lastVersion: item.lastVersion as number };
  }

  /**
   * Writes the events (and snapshot, idempotency record) in one write: a conditional Put for
   * a single item, a transaction for several. Every event slot must be free.
   */
  async append(request: AppendRequest): Promise<AppendOutcome> {
    const puts: { item: Item; condition: string }[] = request.events.map((event) => ({ item: toEventItem(event), condition: versionIsFree }));
    const idempotencyIndex = request.idempotency ? puts.length : -1;
    if (request.idempotency) {
      const { events } = request;
      puts.push({
        item: {
          [PK]: idempotencyKey(request.aggregateId, request.idempotency.commandId), [SK]: 0, [KIND]: KINDS.command,
          firstVersion: events[0].version, lastVersion: events[events.length - 1].version, [TTL]: request.idempotency.expiresAt,
        },
        condition: commandIsNew,
      });
    }
    const snapshotItem = request.snapshot && {
      [PK]: request.aggregateId, [SK]: snapshotSortKey(request.snapshot.version), [KIND]: KINDS.snapshot,
      version: request.snapshot.version, state: request.snapshot.state,
    };
    // A snapshot is derived data: when the transaction is full it is written right after, on its own.
    const snapshotFits = snapshotItem !== undefined && puts.length + (request.sessionEntry ? 1 : 0) < MAX_ITEMS_PER_TRANSACTION;
    if (snapshotItem && snapshotFits) puts.push({ item: snapshotItem, condition: versionIsFree });
    // The session entry counts as an item of the write: with it, even one event needs a transaction.
    const sessionPut = request.sessionEntry && { Put: { TableName: request.sessionEntry.tableName, Item: request.sessionEntry.item } };
    try {
      if (puts.length === 1 && !sessionPut) {
        await this.client.send(new PutCommand({
          TableName: this.tableName, Item: puts[0].item, ConditionExpression: puts[0].condition,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
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
      return { outcome: failure.failedConditions.includes(idempotencyIndex) ? 'duplicate' : 'conflict' };
    }
    if (snapshotItem && !snapshotFits) {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: snapshotItem }));
    }
    return { outcome: 'appended' };
  }
}
