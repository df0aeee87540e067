import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AnyAggregate } from './define-aggregate';
import { decideOn, prepareCommand, type PreparedCommand } from './decide';
import type { CommandResult } from '../shared/envelope';
import { ConcurrencyError, isConcurrencyError, isDomainError } from '../shared/errors';
import { EventStore } from '../store/event-store';
import { foldEvents } from './fold';
import { CONFLICT_RETRY_POLICY, backoffDelayMs, sleep } from '../shared/retry-policies';
import { sessionEntry, type SessionSettings } from '../store/session-entry';
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
}

interface Current {
  readonly state: unknown;
  readonly version: number;
  readonly fromCache: boolean;
}

/** Validates, decides and appends one command; rejections throw the four typed errors. */
export async function handleCommand(definition: { readonly definitionKind: 'aggregate' }, input: unknown, deps: CommandHandlerDeps): Promise<CommandResult> {
  // Typed definitions are not assignable to the erased shape (their payloads are narrower); the runtime erases them here.
  const aggregate = definition as unknown as AnyAggregate;
  const prepared = await prepareCommand(aggregate, input, deps.aggregateName);
  const { command } = prepared;
  const store = new EventStore(deps.dynamoDb, deps.tableName, deps.snapshotEvery);
  const firstResult = async (): Promise<CommandResult | undefined> => {
    if (!command.commandId) return undefined;
    const record = await store.getIdempotencyRecord(command.aggregateId, command.commandId);
    if (!record) return undefined;
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
  firstResult: () => Promise<CommandResult | undefined>,
): Promise<CommandResult> {
  const { command } = prepared;
  let retries = 0;
  let useCache = true;
  for (;;) {
    const current = await currentState(aggregate, command.aggregateId, store, deps.cache, useCache);
    if (command.expectedVersion !== undefined && command.expectedVersion !== current.version) {
      if (current.fromCache) {
        useCache = false;
        continue;
      }
      throw new ConcurrencyError({ aggregateId: command.aggregateId, expectedVersion: command.expectedVersion, currentVersion: current.version, aggregateName: deps.aggregateName });
    }
    const { events, state: newState, version: newVersion } = decideOn(aggregate, prepared, current, {
      aggregateName: deps.aggregateName, eventSource: deps.eventSource,
    });
    if (events.length === 0) {
      return (await firstResult()) ?? { aggregateId: command.aggregateId, version: current.version, events: [] };
    }
    const crossesSnapshot = deps.snapshotEvery > 0 && Math.floor(newVersion / deps.snapshotEvery) > Math.floor(current.version / deps.snapshotEvery);
    const { outcome } = await store.append({
      aggregateId: command.aggregateId,
      events,
      snapshot: crossesSnapshot ? { version: newVersion, state: newState } : undefined,
      idempotency: command.commandId
        ? { commandId: command.commandId, expiresAt: Math.floor(Date.now() / 1000) + deps.idempotencyTtlSeconds }
        : undefined,
      sessionEntry: command.sessionId && deps.session
        ? { tableName: deps.session.tableName, item: sessionEntry(command.sessionId, events, deps.session) }
        : undefined,
    });
    if (outcome === 'appended') {
      deps.cache?.set(command.aggregateId, { state: newState, version: newVersion });
      return { aggregateId: command.aggregateId, version: newVersion, events };
    }
    deps.cache?.delete(command.aggregateId);
    if (outcome === 'duplicate') {
      const first = await firstResult();
      if (first) return first;
      throw new Error(`Idempotency record of command ${command.commandId} exists but could not be read.`);
    }
    // A stale warm cache is not the caller's conflict: reload without spending a retry.
    if (current.fromCache) {
      useCache = false;
      continue;
    }
    if (command.expectedVersion !== undefined || retries >= deps.maxConflictRetries) {
      throw new ConcurrencyError({
        aggregateId: command.aggregateId, expectedVersion: command.expectedVersion,
        currentVersion: await store.currentVersion(command.aggregateId), aggregateName: deps.aggregateName,
      });
    }
    retries += 1;
    await sleep(backoffDelayMs(CONFLICT_RETRY_POLICY, retries));
    useCache = false;
  }
}

async function currentState(aggregate: AnyAggregate, aggregateId: string, store: EventStore, cache: WarmCache | undefined, useCache: boolean): Promise<Current> {
  const cached = useCache ? cache?.get(aggregateId) : undefined;
  if (cached) return { ...cached, fromCache: true };
  const loaded = await store.load(aggregateId);
  const state = foldEvents(aggregate, loaded.snapshot ? loaded.snapshot.state : aggregate.initialState(), loaded.events);
  return { state, version: loaded.version, fromCache: false };
}

