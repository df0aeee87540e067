import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SESSION_TABLE } from '../../lib/private/runtime-contract';
import type { AnyProjection, IndexKey } from '../projection/define-projection';
import type { EventStore } from '../store/event-store';
import type { ProjectedDocument } from '../projection/projection-fold';
import { ownFunction } from '../shared/guards';
import { readDocuments } from '../store/read-documents';
import { mergeSessionEntries, type SessionEntryItem } from './session-read';

/** A document of a list page: the aggregate, the version of the last event applied, the view. */
export interface ListedDocument {
  readonly aggregateId: string;
  readonly version: number;
  readonly view: unknown;
}

/** Which documents a list shows: one partition of a read-model index, maybe a sort-key prefix and view filters. */
export interface ListScope {
  readonly projection: AnyProjection;
  readonly projectionName: string;
  readonly readModelTable: string;
  readonly index: string;
  readonly partition: string;
  readonly sortBeginsWith?: string;
  readonly filter?: { readonly [field: string]: string | number | boolean };
  /** Pending new documents are prepended to the first page only, so that no page repeats them. */
  readonly firstPage: boolean;
}

/**
 * A page as the session will see it once the projector has applied the session's writes: a
 * listed document with pending events is replaced by its merged view, or left out when that
 * view is deleted or no longer in the list; a document the list did not hold and now does is
 * prepended, newest write first. Documents of the session's other aggregates are read in one
 * BatchGetItem per 100; gaps come from the event store.
 *
 * A listed document the session changed since it was projected is read again in the same BatchGetItem: the page does
 * not say which code built it, and merging onto a view other code built would show a view the projector never writes
 * (it folds such a document again from event 1, and so does the merge).
 */
export async function mergeSessionIntoPage(
  scope: ListScope, page: readonly ListedDocument[], entries: readonly SessionEntryItem[], client: DynamoDBDocumentClient, store: EventStore,
): Promise<ListedDocument[]> {
  const byAggregate = new Map<string, SessionEntryItem[]>();
  for (const entry of entries) byAggregate.set(entry.aggregateId, [...(byAggregate.get(entry.aggregateId) ?? []), entry]);
  const listed = new Map(page.map((document) => [document.aggregateId, document]));
  const changedSince = (document: ListedDocument, pending: readonly SessionEntryItem[]) => pending.some((entry) => entry.version > document.version);
  const toRead = new Set([...byAggregate].filter(([aggregateId, pending]) => {
    const document = listed.get(aggregateId);
    return document === undefined || changedSince(document, pending);
  }).map(([aggregateId]) => aggregateId));
  const stored = await readDocuments(client, scope.readModelTable, scope.projectionName, [...toRead]);
  const merged = new Map(await Promise.all([...byAggregate].map(async ([aggregateId, pending]) => {
    // What was read again is newer than the (eventually consistent) page, and its view, version and code are of one item.
    const base: ProjectedDocument = stored.get(aggregateId) ?? (toRead.has(aggregateId) ? undefined : listed.get(aggregateId)) ?? { version: 0, view: undefined };
    const result = await mergeSessionEntries(scope.projection, base, pending, aggregateId, store);
    return [aggregateId, { base, merged: { version: result.version, view: result.view } }] as const;
  })));
  const inList = (aggregateId: string, document: ProjectedDocument) => belongs(scope, aggregateId, document.view);
  const kept = page.flatMap((document) => {
    const change = merged.get(document.aggregateId);
    if (!change) return [document];
    return inList(document.aggregateId, change.merged) ? [{ aggregateId: document.aggregateId, ...change.merged }] : [];
  });
  if (!scope.firstPage) return kept;
  // An entry expires a fixed time after its write, so the latest expiry is the latest write.
  const lastWrite = (aggregateId: string) => Math.max(...(byAggregate.get(aggregateId) ?? []).map((entry) => entry[SESSION_TABLE.ttlAttribute] ?? 0));
  const added = [...merged]
    .filter(([aggregateId, change]) => !listed.has(aggregateId) && !inList(aggregateId, change.base) && inList(aggregateId, change.merged))
    .sort(([a], [b]) => lastWrite(b) - lastWrite(a))
    .map(([aggregateId, change]) => ({ aggregateId, ...change.merged }));
  return [...added, ...kept];
}

/** True when a view is in the list: mapped into its index partition, under its sort-key prefix, and passing its filters. */
function belongs(scope: ListScope, aggregateId: string, view: unknown): boolean {
  const mapping = ownFunction(scope.projection.indexes, scope.index);
  // No view is undefined here, never null: a fold and a stored tombstone both give undefined.
  if (view === undefined || !mapping) return false;
  const key = mapping(view, aggregateId) as IndexKey | undefined;
  if (key === undefined || key.pk !== scope.partition) return false;
  if (scope.sortBeginsWith !== undefined && !key.sk.startsWith(scope.sortBeginsWith)) return false;
  return Object.entries(scope.filter ?? {}).every(([field, value]) => (view as Record<string, unknown>)[field] === value);
}
