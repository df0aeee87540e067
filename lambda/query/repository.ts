import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../store/document-client';
import type { DocumentClientLike } from '../store/document-client-like';
import { READ_MODEL, readModelIndexKeys } from '../../lib/private/runtime-contract';
import { eraseProjection, type Projection } from '../projection/define-projection';
import type { SessionReadSettings } from '../store/session-entry';
import { mergeSessionEntries, readSessionEntries, type SessionEntryItem } from '../sessions/session-read';
import { ValidationError } from '../shared/errors';
import { explicitOrConnectedName, optionalConnectedName } from '../shared/client-env';
import { decodeCursor, encodeCursor } from './read-model-cursor';
import { documentKey, fromReadModelItem, isLiveDocument } from '../store/read-model-item';
import { isWellFormed } from '../shared/guards';
import { KEY_LIMITS, keyBytes } from '../store/keys';

/**
 * Refuses, as a ValidationError (a 400 over HTTP), a key value a caller gave that no DynamoDB key
 * can hold: not a non-empty string, a lone surrogate, or over the partition key's 2,048 bytes.
 * Sent as it is, DynamoDB would refuse the request, a fault.
 */
function checkKeyValue(value: unknown, field: string): void {
  const problem = typeof value !== 'string' || value === '' ? 'must be a non-empty string'
    : !isWellFormed(value) ? 'must be well-formed Unicode (it holds a lone surrogate)'
      : keyBytes(value) > KEY_LIMITS.partitionKeyBytes ? `is ${keyBytes(value)} bytes; a DynamoDB key holds at most ${KEY_LIMITS.partitionKeyBytes}` : undefined;
  if (problem !== undefined) throw new ValidationError(`${field} ${problem}.`, [{ message: problem, path: [field] }]);
}

export type { DocumentClientLike } from '../store/document-client-like';

/**
 * Where a `Repository` reads: `{ aggregateName }` in a function given `aggregate.connect(fn)`
 * (the table, and the read-your-writes settings when the aggregate has them, come from the
 * environment `connect` sets), or `{ tableName, readYourWrites? }`.
 */
export type RepositoryProps = RepositoryCommonProps & ({
  /** The aggregate's name, as given to CqrsAggregate: the tables are read from the environment `connect` sets. */
  readonly aggregateName: string;
  readonly tableName?: never;
  readonly readYourWrites?: never;
} | {
  /** Name of the read-model table (the query function gets it as CQRS_READ_MODEL_TABLE). */
  readonly tableName: string;
  /**
   * With the aggregate's `readYourWrites`: where `get` and `query` given a `sessionId` find the
   * session's pending writes (the function needs `grantReadYourWrites`).
   * @default - reads see the read model alone
   */
  readonly readYourWrites?: SessionReadSettings;
  readonly aggregateName?: never;
});

/** What every `Repository` is given. */
export interface RepositoryCommonProps {
  /** The projection's name, as given in the construct's `projections`. */
  readonly projectionName: string;
  /** @default - a DynamoDB document client for the current region, created on first use */
  readonly dynamoDb?: DocumentClientLike;
}

/** Where a repository reads, once resolved. */
interface RepositoryTarget {
  readonly tableName: string;
  readonly projectionName: string;
  readonly readYourWrites?: SessionReadSettings;
}

function resolveTarget(props: RepositoryProps): RepositoryTarget {
  const { projectionName, aggregateName } = props;
  const tableName = explicitOrConnectedName(`Repository of ${projectionName}`, { prop: 'tableName', value: props.tableName }, aggregateName, 'readModelTable');
  if (props.tableName !== undefined || aggregateName === undefined) return { tableName, projectionName, readYourWrites: props.readYourWrites };
  // `connect` sets both or neither: the aggregate has readYourWrites, or it has not.
  const sessionTable = optionalConnectedName(aggregateName, 'sessionTable');
  const eventStoreTable = optionalConnectedName(aggregateName, 'eventStoreTable');
  const readYourWrites = sessionTable !== undefined && eventStoreTable !== undefined ? { sessionTable, eventStoreTable, aggregateName } : undefined;
  return { tableName, projectionName, readYourWrites };
}

export interface QueryOptions {
  /** One of the projection's `indexes`. */
  readonly index: string;
  /** The index partition key (`pk` of the index mapping). */
  readonly partition: string;
  /** Only documents whose index sort key starts with this. */
  readonly sortBeginsWith?: string;
  /** At most this many documents are read per page. */
  readonly limit?: number;
  /** The `cursor` of the previous page. */
  readonly cursor?: string;
  /** Descending sort key order. @default false */
  readonly newestFirst?: boolean;
  /**
   * Only documents whose view fields equal these values. DynamoDB filters after it reads `limit`
   * items, so a page may hold fewer than `limit` documents (even none) and still have a cursor.
   */
  readonly filter?: { readonly [field: string]: string | number | boolean };
  /**
   * With `readYourWrites` set: the page as this session will see it once the projector has
   * applied its writes (a new document prepended to the first page, a deleted or moved one left
   * out, a changed one replaced), so a page may hold more than `limit` documents.
   */
  readonly sessionId?: string;
}

/** How `get` and `getDocument` read. */
export interface GetOptions {
  /** A strongly consistent read of the document. @default false */
  readonly consistentRead?: boolean;
  /** With `readYourWrites` set: the session whose own pending writes are merged into the view. */
  readonly sessionId?: string;
}

/** A projection's document of one aggregate: its view, and the version of the last event the view includes. */
export interface ViewDocument<View> {
  readonly aggregateId: string;
  readonly version: number;
  readonly view: View;
}

export interface QueryResult<View> {
  readonly items: ViewDocument<View>[];
  /** Pass it back to read the next page; absent on the last page. */
  readonly cursor?: string;
}

/**
 * Reads a projection's documents: one by aggregate id, or pages of an index.
 *
 * `new Repository(customerView, { aggregateName: 'Customer', projectionName: 'CustomerView' })`. Deleted
 * documents (tombstones) are never returned.
 */
export class Repository<Agg, View> {
  private client?: DynamoDBDocumentClient;
  private readonly props: RepositoryTarget;
  constructor(private readonly projection: Projection<Agg, View>, props: RepositoryProps) {
    this.client = props.dynamoDb as DynamoDBDocumentClient | undefined;
    this.props = resolveTarget(props);
  }

  /**
   * The view of one aggregate, or undefined when it has none (yet, or any more).
   *
   * With a `sessionId` (and `readYourWrites` set), the session's own writes that the projector
   * has not applied yet are applied with the projection's handlers: the caller sees the view the
   * projector will write. The session is read alongside the document, in parallel.
   */
  async get(aggregateId: string, options: GetOptions = {}): Promise<View | undefined> {
    return (await this.getDocument(aggregateId, options))?.view;
  }

  /**
   * The document of one aggregate, as `get` reads it, with its version: the version of the last
   * event the view includes (with a `sessionId`, the session's last write it merged), which a
   * command can expect. Undefined when the aggregate has no view (yet, or any more).
   */
  async getDocument(aggregateId: string, options: GetOptions = {}): Promise<ViewDocument<View> | undefined> {
    checkKeyValue(aggregateId, 'aggregateId');
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const client = await this.dynamoDb();
    const session = this.sessionFor(options.sessionId);
    const [{ Item }, entries] = await Promise.all([
      client.send(new GetCommand({
        TableName: this.props.tableName, Key: documentKey(aggregateId, this.props.projectionName), ConsistentRead: options.consistentRead,
      })),
      session ? readSessionEntries(client, session.settings, session.sessionId, aggregateId) : Promise.resolve([]),
    ]);
    const stored = fromReadModelItem(Item) ?? { version: 0, view: undefined };
    let document = stored;
    if (session && entries.length > 0) {
      const { EventStore } = await import('../store/event-store');
      document = await mergeSessionEntries(eraseProjection(this.projection), stored, entries, aggregateId, new EventStore(client, session.settings.eventStoreTable, 0));
    }
    // No view is no document, whatever its version: a tombstone, or a fold that deleted the view.
    return document.view === undefined ? undefined : { aggregateId, version: document.version, view: document.view as View };
  }

  /** A page of the documents in one partition of an index, in sort key order. */
  async query(options: QueryOptions): Promise<QueryResult<View>> {
    const known = Object.keys(this.projection.indexes ?? {});
    if (!known.includes(options.index)) {
      throw new ValidationError(`Projection ${this.props.projectionName} has no index '${options.index}'. Its indexes: ${known.join(', ') || 'none'}.`, [{ message: 'unknown index', path: ['index'] }]);
    }
    checkKeyValue(options.partition, 'partition');
    if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
      throw new ValidationError(`limit must be an integer >= 1 (given ${options.limit}).`, [{ message: 'must be an integer >= 1', path: ['limit'] }]);
    }
    const keys = readModelIndexKeys(options.index);
    const names: Record<string, string> = { '#ipk': keys.partitionKey, '#sk': READ_MODEL.sortKey };
    const values: Record<string, unknown> = { ':partition': options.partition, ':projection': this.props.projectionName };
    let keyCondition = '#ipk = :partition';
    if (options.sortBeginsWith !== undefined) {
      names['#isk'] = keys.sortKey;
      values[':prefix'] = options.sortBeginsWith;
      keyCondition += ' AND begins_with(#isk, :prefix)';
    }
    // Another projection may name an index the same; the sort key of the table says whose document it is.
    const filters = ['#sk = :projection'];
    Object.entries(options.filter ?? {}).forEach(([field, value], i) => {
      names['#view'] = READ_MODEL.viewAttribute;
      names[`#f${i}`] = field;
      values[`:f${i}`] = value;
      filters.push(`#view.#f${i} = :f${i}`);
    });
    const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    const client = await this.dynamoDb();
    const session = this.sessionFor(options.sessionId);
    const [page, entries] = await Promise.all([client.send(new QueryCommand({
      TableName: this.props.tableName,
      IndexName: options.index,
      KeyConditionExpression: keyCondition,
      FilterExpression: filters.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: !options.newestFirst,
      Limit: options.limit,
      ExclusiveStartKey: options.cursor === undefined ? undefined : decodeCursor(options.cursor, [READ_MODEL.partitionKey, READ_MODEL.sortKey, keys.partitionKey, keys.sortKey], { [keys.partitionKey]: options.partition }),
    })), session ? readSessionEntries(client, session.settings, session.sessionId) : Promise.resolve([])]);
    const listed = (page.Items ?? []).filter(isLiveDocument).map((item) => ({
      aggregateId: item[READ_MODEL.partitionKey] as string, version: item[READ_MODEL.versionAttribute] as number, view: item[READ_MODEL.viewAttribute] as View,
    }));
    const items = !session || entries.length === 0 ? listed : await this.mergeSession(options, listed, entries, session.settings, client);
    return page.LastEvaluatedKey ? { items, cursor: encodeCursor(page.LastEvaluatedKey) } : { items };
  }

  private async mergeSession(
    options: QueryOptions, listed: ViewDocument<View>[], entries: SessionEntryItem[], session: SessionReadSettings, client: DynamoDBDocumentClient,
  ): Promise<ViewDocument<View>[]> {
    const [{ EventStore }, { mergeSessionIntoPage }] = await Promise.all([import('../store/event-store'), import('../sessions/session-list')]);
    const scope = {
      projection: eraseProjection(this.projection), projectionName: this.props.projectionName, readModelTable: this.props.tableName,
      index: options.index, partition: options.partition, sortBeginsWith: options.sortBeginsWith, filter: options.filter, firstPage: options.cursor === undefined,
    };
    const merged = await mergeSessionIntoPage(scope, listed, entries, client, new EventStore(client, session.eventStoreTable, 0));
    return merged as ViewDocument<View>[];
  }

  /** The session a read names, with the read-your-writes settings; a session without them is the caller's mistake. */
  private sessionFor(sessionId: string | undefined): { readonly sessionId: string; readonly settings: SessionReadSettings } | undefined {
    if (sessionId === undefined) return undefined;
    if (!this.props.readYourWrites) {
      throw new ValidationError(`Repository of ${this.props.projectionName}: a read was given a sessionId, but the repository has no readYourWrites settings. Make it with { aggregateName } in a function given \`aggregate.connect(fn)\` on an aggregate with readYourWrites, or pass readYourWrites: { sessionTable, aggregateName, eventStoreTable }.`, [{ message: 'readYourWrites is not set', path: ['sessionId'] }]);
    }
    return { sessionId, settings: this.props.readYourWrites };
  }

  private async dynamoDb(): Promise<DynamoDBDocumentClient> {
    this.client ??= await createDocumentClient();
    return this.client;
  }
}
