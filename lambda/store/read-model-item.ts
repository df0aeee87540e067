import { READ_MODEL, readModelIndexKeys } from '../../lib/private/runtime-contract';

const { partitionKey: PK, sortKey: SK, versionAttribute: VERSION, viewAttribute: VIEW, deletedAttribute: DELETED, codeAttribute: CODE } = READ_MODEL;

type Item = Record<string, unknown>;

/** A projection's document as the projector sees it: the version of the last event applied and the view (absent: none). */
export interface ProjectedDocument {
  readonly version: number;
  readonly view: unknown;
  /**
   * The code version of the projection that built it: set on what is written, and on what is
   * read when the item records it (documents written before code versions existed do not).
   */
  readonly code?: string;
}

/** The read-model indexes a projection fills: by index name, the key of a view in it (or undefined: not in it). */
export type IndexMappers = Readonly<Record<string, (view: unknown, aggregateId: string) => unknown>>;

/** The key of an aggregate's document in a projection. */
export const documentKey = (aggregateId: string, projectionName: string): Item => ({ [PK]: aggregateId, [SK]: projectionName });

/**
 * The conditions of a document write. The projector writes only on top of the version and the
 * code it read, so two projector instances that raced cannot both apply, and a view that a
 * rebuild or other code replaced meanwhile is never extended. A rebuild writes a full fold of
 * its own code: where the document is absent, built by other code (or by no recorded code), or
 * at a lower version; never over a document of its own code at or above the fold's version.
 * Each takes `#version` and `#code` as names; the values are in `documentCondition`.
 */
export const documentIsNew = `attribute_not_exists(${PK})`;
export const versionAndCodeAreUnchanged = '#version = :previous AND #code = :previousCode';
export const versionIsUnchangedWithoutCode = '#version = :previous AND attribute_not_exists(#code)';
const builtByOtherCodeOrOlder = '(attribute_not_exists(#code) OR #code <> :code OR #version < :version)';
export const rebuildMayReplace = `attribute_not_exists(${PK}) OR ${builtByOtherCodeOrOlder}`;
/** For a fold that has no view and never had (no event had a handler): only replace a document that exists. */
export const rebuildMayReplaceExisting = `attribute_exists(${PK}) AND ${builtByOtherCodeOrOlder}`;

/** A write's condition, in the shape of a Put's parameters. */
export interface WriteCondition {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, unknown>;
}

/** The condition of the projector's write on top of what it read (`stored`, or nothing). */
export function projectorWriteCondition(stored: ProjectedDocument | undefined): WriteCondition {
  if (!stored) return { ConditionExpression: documentIsNew };
  const names = { '#version': VERSION, '#code': CODE };
  return stored.code === undefined
    ? { ConditionExpression: versionIsUnchangedWithoutCode, ExpressionAttributeNames: names, ExpressionAttributeValues: { ':previous': stored.version } }
    : { ConditionExpression: versionAndCodeAreUnchanged, ExpressionAttributeNames: names, ExpressionAttributeValues: { ':previous': stored.version, ':previousCode': stored.code } };
}

/** The stored document of an aggregate, or undefined when it has none. A tombstone has a version and no view. */
export function fromReadModelItem(item: Item | undefined): ProjectedDocument | undefined {
  if (!item) return undefined;
  const code = item[CODE];
  return { version: item[VERSION] as number, view: item[DELETED] === true ? undefined : item[VIEW], ...(typeof code === 'string' ? { code } : {}) };
}

/** True for a live document (not a tombstone). */
export const isLiveDocument = (item: Item): boolean => item[DELETED] !== true && item[VIEW] !== undefined;

/**
 * The item of a document, with the code version that built it when the document has one. Without
 * a view it is a tombstone: deleting the item instead would lose its version (and its code), and
 * a late duplicate of an older event would then create the document again.
 */
export function toReadModelItem(projection: { readonly indexes?: IndexMappers }, projectionName: string, aggregateId: string, document: ProjectedDocument): Item {
  const key = documentKey(aggregateId, projectionName);
  const code = document.code === undefined ? {} : { [CODE]: document.code };
  if (document.view === undefined || document.view === null) return { ...key, [VERSION]: document.version, ...code, [DELETED]: true };
  const item: Item = { ...key, [VERSION]: document.version, ...code, [VIEW]: document.view };
  for (const [indexName, mapping] of Object.entries(projection.indexes ?? {})) {
    const indexKey = mapping(document.view, aggregateId);
    if (indexKey === undefined) continue;
    if (!isIndexKey(indexKey)) {
      throw new Error(`Projection ${projectionName}: index ${indexName} mapped ${aggregateId} to ${JSON.stringify(indexKey)}; return { pk, sk } as non-empty strings, or undefined to leave the document out of the index.`);
    }
    const names = readModelIndexKeys(indexName);
    item[names.partitionKey] = indexKey.pk;
    item[names.sortKey] = indexKey.sk;
  }
  return item;
}

const isIndexKey = (value: unknown): value is { pk: string; sk: string } => {
  // null and undefined have no keys; any other non-object has no pk or sk.
  const { pk, sk } = (value ?? {}) as Record<string, unknown>;
  // DynamoDB refuses an empty string as a key attribute, of a table or of an index.
  return typeof pk === 'string' && pk.length > 0 && typeof sk === 'string' && sk.length > 0;
};
