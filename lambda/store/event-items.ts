import { EVENT_STORE } from '../../lib/private/runtime-contract';
import type { EventEnvelope } from '../shared/envelope';
import { idempotencyKey } from './keys';

/**
 * The items of the event store: an event at (aggregate id, version), a snapshot at
 * (aggregate id, version + 0.5), an idempotency record at (its own key, 0).
 */

const { partitionKey: PK, sortKey: SK, kindAttribute: KIND, kinds: KINDS, ttlAttribute: TTL } = EVENT_STORE;

export type Item = Record<string, unknown>;

/** The state after event `version`, as folded by the code whose `stateCodeVersion` it records. */
export interface Snapshot {
  readonly version: number;
  readonly state: unknown;
  readonly codeVersion: string;
}

/** What an idempotency record keeps: the versions its command wrote, and what made it that command. */
export interface IdempotencyRecord {
  readonly firstVersion: number;
  readonly lastVersion: number;
  /** The command's type and payload (`commandFingerprint`); absent on records written before it was kept. */
  readonly fingerprint?: string;
}

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

/** A snapshot sits between event `version` and `version + 1` (sk is a number), so a newest-first query meets it right after the events that follow it. */
export const toSnapshotItem = (aggregateId: string, snapshot: Snapshot): Item => ({
  [PK]: aggregateId, [SK]: snapshot.version + 0.5, [KIND]: KINDS.snapshot,
  version: snapshot.version, state: snapshot.state, codeVersion: snapshot.codeVersion,
});

export const fromSnapshotItem = (item: Item): Snapshot =>
  ({ version: item.version as number, state: item.state, codeVersion: typeof item.codeVersion === 'string' ? item.codeVersion : '' });

export const idempotencyRecordKey = (aggregateId: string, commandId: string): Item => ({ [PK]: idempotencyKey(aggregateId, commandId), [SK]: 0 });

export const toIdempotencyItem = (aggregateId: string, commandId: string, record: Required<IdempotencyRecord>, expiresAt: number): Item => ({
  ...idempotencyRecordKey(aggregateId, commandId), [KIND]: KINDS.command,
  firstVersion: record.firstVersion, lastVersion: record.lastVersion, fingerprint: record.fingerprint, [TTL]: expiresAt,
});

export const fromIdempotencyItem = (item: Item): IdempotencyRecord => ({
  firstVersion: item.firstVersion as number,
  lastVersion: item.lastVersion as number,
  ...(typeof item.fingerprint === 'string' ? { fingerprint: item.fingerprint } : {}),
});

export const isKind = (item: Item, kind: keyof typeof KINDS): boolean => item[KIND] === KINDS[kind];
