import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CommandEnvelope, CommandResult } from '../shared/envelope';
import { ConcurrencyError, IdempotencyKeyReused, isCommandRejection, isConcurrencyError, isDomainError } from '../shared/errors';
import { describeError } from '../shared/guards';
import { CONFLICT_RETRY_POLICY, backoffDelayMs, sleep } from '../shared/retry-policies';
import { EventStore, type IdempotencyRecord, type Snapshot } from '../store/event-store';
import { sessionEntry, type SessionSettings } from '../store/session-entry';
import { storableIssues } from '../store/storable-value';
import { stateCodeVersion } from './code-fingerprint';
import type { AnyAggregate } from './define-aggregate';
import { decideOn, prepareCommand, type PreparedCommand } from './decide';
import { foldEvents } from './fold';
import type { WarmCache } from './warm-cache';

/** What the command handler needs; the Lambda entry point builds it from its environment. */
export interface CommandHandlerDeps {
  readonly dynamoDb: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly aggregateName: string;
  /** The `source` of the events on the bus, for the entry size check. */
  readonly eventSource: string;
  /** Write a snapshot whenever a command crosses a multiple of this many events (0: never). */
  readonly snapshotEvery: number;
  readonly maxConflictRetries: number;
  readonly cache?: WarmCache;
  /** How long an idempotency record is kept (the construct's `idempotencyTtl`, which has the one default). */
  readonly idempotencyTtlSeconds: number;
  /** With read-your-writes: a command sent with a sessionId also writes a session entry, in the same transaction. */
  readonly session?: SessionSettings;
  /** Where what does not stop a command is reported (a snapshot not written). @default - one JSON line on stderr */
  readonly log?: (entry: Record<string, unknown>) => void;
}

interface Current {
  readonly state: unknown;
  readonly version: number;
  /** Taken from the warm cache, or assumed new from `expectedVersion: 0`: not read from the store. */
  readonly unconfirmed: boolean;
  /** The load passed over a snapshot of other code: the next successful write also writes a fresh one. */
  readonly staleSnapshot: boolean;
}

/** Validates, decides and appends one command; rejections throw the typed errors. */
export async function handleCommand(definition: { readonly definitionKind: 'aggregate' }, input: unknown, deps: CommandHandlerDeps): Promise<CommandResult> {
  // Typed definitions are not assignable to the erased shape (their payloads are narrower); the runtime erases them here.
  const aggregate = definition as unknown as AnyAggregate;
  const prepared = await prepareCommand(aggregate, input, { aggregateName: deps.aggregateName, sessions: deps.session !== undefined });
  const { command } = prepared;
  const store = new EventStore(deps.dynamoDb, deps.tableName, deps.snapshotEvery);
  /** The answer to a commandId seen before: its first result, or IdempotencyKeyReused when it named another command. */
  const firstResult = async (known?: IdempotencyRecord): Promise<CommandResult | undefined> => {
    if (!command.commandId) return undefined;
    const record = known ?? await store.getIdempotencyRecord(command.aggregateId, command.commandId);
    if (!record) return undefined;
    if (record.fingerprint !== undefined && record.fingerprint !== prepared.fingerprint) {
      throw new IdempotencyKeyReused({ aggregateId: command.aggregateId, commandId: command.commandId, aggregateName: deps.aggregateName });
    }
    const events = await store.readRange(command.aggregateId, record.firstVersion, record.lastVersion);
    return { aggregateId: command.aggregateId, version: record.lastVersion, events };
  };
  try {
    return await decideAndAppend(aggregate, prepared, store, deps, firstResult);
  } catch (err) {
    if (isDomainError(err) || isConcurrencyError(err)) {
      // A retry of a command that already succeeded may now be refused: answer it with its first result.
      const first = await firstResult();
      if (first) return first;
    }
    throw err;
  }
}

async function decideAndAppend(
  aggregate: AnyAggregate,
  prepared: PreparedCommand,
  store: EventStore,
  deps: CommandHandlerDeps,
  firstResult: (known?: IdempotencyRecord) => Promise<CommandResult | undefined>,
): Promise<CommandResult> {
  const { command } = prepared;
  let retries = 0;
  let useCache = true;
  for (;;) {
    const current = await currentState(aggregate, command, store, deps.cache, useCache);
    // Whatever unconfirmed state (warm cache, assumed new) makes us answer other than a write is checked
    // against the store first: another container may have moved the aggregate on (a write on stale
    // state fails its condition anyway).
    const confirm = () => {
      useCache = false;
    };
    if (command.expectedVersion !== undefined && command.expectedVersion !== current.version) {
      if (current.unconfirmed) { confirm(); continue; }
      throw new ConcurrencyError({ aggregateId: command.aggregateId, expectedVersion: command.expectedVersion, currentVersion: current.version, aggregateName: deps.aggregateName });
    }
    let decision;
    try {
      decision = decideOn(aggregate, prepared, current, { aggregateName: deps.aggregateName, eventSource: deps.eventSource });
    } catch (err) {
      if (current.unconfirmed && isCommandRejection(err)) { confirm(); continue; }
      throw err;
    }
    const { events, state: newState, version: newVersion } = decision;
    if (events.length === 0) {
      if (current.unconfirmed) { confirm(); continue; }
      return (await firstResult()) ?? { aggregateId: command.aggregateId, version: current.version, events: [] };
    }
    const appended = await store.append({
      aggregateId: command.aggregateId,
      events,
      idempotency: command.commandId
        ? { commandId: command.commandId, fingerprint: prepared.fingerprint, expiresAt: Math.floor(Date.now() / 1000) + deps.idempotencyTtlSeconds }
        : undefined,
      sessionEntry: command.sessionId && deps.session
        ? { tableName: deps.session.tableName, item: sessionEntry(command.sessionId, events, deps.session) }
        : undefined,
    });
    if (appended.outcome === 'appended') {
      deps.cache?.set(command.aggregateId, { state: newState, version: newVersion });
      // With snapshotEvery 0 (never) the quotients are Infinity or NaN, neither greater than the other: no guard is needed,
      // and one would be a line no test can tell from its absence.
      const crossesSnapshot = Math.floor(newVersion / deps.snapshotEvery) > Math.floor(current.version / deps.snapshotEvery);
      if (crossesSnapshot || current.staleSnapshot) {
        await saveSnapshot(store, command.aggregateId, { version: newVersion, state: newState, codeVersion: stateCodeVersion(aggregate) }, deps);
      }
      return { aggregateId: command.aggregateId, version: newVersion, events };
    }
    deps.cache?.delete(command.aggregateId);
    if (appended.outcome === 'duplicate') {
      const first = await firstResult(appended.record);
      if (first) return first;
      throw new Error(`Idempotency record of command ${command.commandId} exists but could not be read.`);
    }
    // Stale unconfirmed state is not the caller's conflict: reload without spending a retry.
    if (current.unconfirmed) { confirm(); continue; }
    // A command with expectedVersion is tried again too: the reload above answers a ConcurrencyError when a rival did
    // move the version on, and a transaction cancelled by a TransactionConflict alone (no rival write landed, the
    // version is still the expected one) is then written, where failing it would misreport a conflict.
    if (retries >= deps.maxConflictRetries) {
      throw new ConcurrencyError({
        aggregateId: command.aggregateId, expectedVersion: command.expectedVersion,
        currentVersion: await store.currentVersion(command.aggregateId), aggregateName: deps.aggregateName,
      });
    }
    retries += 1;
    await sleep(backoffDelayMs(CONFLICT_RETRY_POLICY, retries));
    // The conflict deleted the cache entry (above), so the next try reads the store.
  }
}

/**
 * The state to decide on: the warm cache's, else (for a caller who says the aggregate is new,
 * `expectedVersion: 0`) the initial state with no read at all, else the store's. The first two are
 * unconfirmed: a write on them fails its condition if they are stale, and any other answer is
 * checked against the store first.
 */
async function currentState(aggregate: AnyAggregate, command: CommandEnvelope, store: EventStore, cache: WarmCache | undefined, useCache: boolean): Promise<Current> {
  const cached = useCache ? cache?.get(command.aggregateId) : undefined;
  if (cached) return { ...cached, unconfirmed: true, staleSnapshot: false };
  if (useCache && command.expectedVersion === 0) return { state: aggregate.initialState(), version: 0, unconfirmed: true, staleSnapshot: false };
  const loaded = await store.load(command.aggregateId, stateCodeVersion(aggregate));
  const state = foldEvents(aggregate, loaded.snapshot ? loaded.snapshot.state : aggregate.initialState(), loaded.events);
  return { state, version: loaded.version, unconfirmed: false, staleSnapshot: loaded.passedStaleSnapshot };
}

/** A snapshot is derived data: one that cannot be written is reported, and the command still succeeds. */
async function saveSnapshot(store: EventStore, aggregateId: string, snapshot: Snapshot, deps: CommandHandlerDeps): Promise<void> {
  const log = deps.log ?? ((entry: Record<string, unknown>) => console.error(JSON.stringify(entry)));
  // A state the SDK would store as something else ([1, undefined] as [1], a key named __proto__ lost) would be loaded
  // back altered, and later commands decided on it: no snapshot, and loads fold the events as they were stored.
  const [issue] = storableIssues(snapshot.state, ['state'], 1);
  if (issue) {
    log({ message: `${deps.aggregateName} ${aggregateId}: no snapshot at version ${snapshot.version}: the state cannot be stored exactly (${issue.path?.join('.') ?? 'state'} ${issue.message}). Loads fold the events instead.`, aggregateId, version: snapshot.version });
    return;
  }
  try {
    const { written, bytes } = await store.writeSnapshot(aggregateId, snapshot);
    if (!written) {
      log({ message: `${deps.aggregateName} ${aggregateId}: no snapshot at version ${snapshot.version}: the state is ${bytes} bytes, over DynamoDB's 400 KB item limit. Loads fold the events instead; keep the state smaller to have snapshots again.`, aggregateId, version: snapshot.version, bytes });
    }
  } catch (err) {
    log({ message: `${deps.aggregateName} ${aggregateId}: the snapshot at version ${snapshot.version} was not written (the command succeeded). ${describeError(err)}`, aggregateId, version: snapshot.version });
  }
}
