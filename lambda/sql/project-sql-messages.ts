import { sql, type Kysely, type Transaction } from 'kysely';
import { describeError, ownFunction, ownValue } from '../shared/guards';
import type { BatchResponse } from '../shared/batch-response';
import type { EventEnvelope } from '../shared/envelope';
import type { EventStore } from '../store/event-store';
import { eventsThrough, uniqueByVersion } from '../projection/projection-fold';
import { groupByAggregate, logToStderr, toBatchResponse, type Delivered, type ProjectorLog } from '../projection/projector-batch';
import type { QueueMessage } from '../projection/queue-message';
import { upcastEvent } from '../write/upcast';
import type { AnySqlHandler, AnySqlProjection } from './define-sql-projection';
import { CHECKPOINTS_TABLE, liveGenerations, useSchema, type Generation } from './sql-generations';
import { retryDelayMs, sqlErrorOf } from './sql-errors';

/** What a SQL projector needs; the Lambda entry point builds it from its environment. */
export interface SqlProjectorDeps {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly db: Kysely<any>;
  readonly projectionName: string;
  /** The event store of each aggregate the projection reads, by aggregate name: gaps are filled from it. */
  readonly eventStoreOf: (aggregateName: string) => EventStore | undefined;
  /** Where failures are reported. @default - one JSON line on stderr per failure */
  readonly log?: ProjectorLog;
}

/** How many times an aggregate's transaction runs when PostgreSQL ends it to keep it serializable (or to break a deadlock). */
export const SQL_CONFLICT_TRIES = 5;
/** How many aggregates of one batch are projected at once (each is one transaction). */
const PARALLEL_AGGREGATES = 8;
const SAVEPOINT = sql.raw('cdk_cqrs_event');

/** The key of an aggregate among several aggregate types: unambiguous whatever its name and id hold. */
const aggregateKey = (event: EventEnvelope): string => JSON.stringify([event.aggregateName, event.aggregateId]);

/**
 * Projects one SQS batch (ReportBatchItemFailures) into SQL tables so that they equal the
 * sequential fold of the events, whatever the duplicates and the order of delivery.
 *
 * Messages are grouped per aggregate (its name and id). For each generation being written (the
 * active one and, during a rebuild, the building one), each aggregate is projected in one
 * SERIALIZABLE transaction: its checkpoint is read and locked; the delivered events after it are
 * applied in version order, a gap filled from the event store, each inside a savepoint; the
 * checkpoint advances to the last event applied; and it all commits at once. A duplicate or
 * stale event is below the checkpoint and skipped. A handler that throws rolls back only its own
 * event's effects: the events before it commit, and that message and the later ones of the
 * aggregate fail and come back. A transaction PostgreSQL ends to keep it serializable runs again.
 * Anything else fails only the messages of its aggregate.
 */
export async function projectSqlMessages(projection: AnySqlProjection, messages: readonly QueueMessage[], deps: SqlProjectorDeps): Promise<BatchResponse> {
  const log = deps.log ?? logToStderr;
  const { failed, byAggregate } = groupByAggregate(messages, { projectionName: deps.projectionName }, log, aggregateKey);
  // Events of an aggregate the projection does not read succeed untouched (a rule matched more than it needs).
  const groups = [...byAggregate.values()].filter((group) => ownValue(projection.aggregates, group[0].event.aggregateName) !== undefined);
  const failGroup = (group: readonly Delivered[], cause: string, fromVersion = 0) => {
    const { aggregateName, aggregateId } = group[0].event;
    log({ message: `Projection ${deps.projectionName}: ${aggregateName} ${aggregateId} not projected${fromVersion > 0 ? ` from version ${fromVersion}` : ''}; its messages will be redelivered. ${cause}`, aggregateName, aggregateId, ...(fromVersion > 0 ? { version: fromVersion } : {}) });
    for (const { messageId, event } of group) if (event.version >= fromVersion) failed.add(messageId);
  };
  let generations: Generation[];
  try {
    generations = await liveGenerations(deps.db, deps.projectionName);
  } catch (error) {
    for (const group of groups) failGroup(group, `The generations of the projection could not be read: ${describeError(error)}`);
    return toBatchResponse(messages, failed);
  }
  if (generations.length === 0) {
    for (const group of groups) failGroup(group, 'The projection has no tables yet: its migrations have not been applied (they are applied at deploy, and at local start).');
    return toBatchResponse(messages, failed);
  }
  await inParallel(groups, PARALLEL_AGGREGATES, async (group) => {
    for (const generation of generations) {
      try {
        const failure = await withConflictRetries(() => projectAggregate(projection, deps, generation, group));
        if (failure) {
          failGroup(group, `The handler of version ${failure.version} threw (${generation.schemaName}): ${describeError(failure.error)}`, failure.version);
          return;
        }
      } catch (error) {
        failGroup(group, `In ${generation.schemaName}: ${describeError(error)}`);
        return;
      }
    }
  });
  return toBatchResponse(messages, failed);
}

/** The event whose handler threw, and what it threw. */
interface HandlerFailure {
  readonly version: number;
  readonly error: unknown;
}

/**
 * Projects one aggregate's delivered events into one generation, in one transaction; returns the
 * handler failure that stopped it, if one did (the events before it are committed).
 */
async function projectAggregate(projection: AnySqlProjection, deps: SqlProjectorDeps, generation: Generation, group: readonly Delivered[]): Promise<HandlerFailure | undefined> {
  const { aggregateName, aggregateId } = group[0].event;
  const handlers = ownValue(projection.events, aggregateName);
  const upcasters = ownValue(projection.aggregates, aggregateName)?.upcasters;
  return deps.db.transaction().setIsolationLevel('serializable').execute(async (trx) => {
    await useSchema(trx, generation.schemaName);
    const checkpoint = await readCheckpoint(trx, aggregateName, aggregateId);
    const pending = uniqueByVersion(group.map((d) => d.event)).filter((event) => event.version > checkpoint);
    if (pending.length === 0) return undefined;
    const store = deps.eventStoreOf(aggregateName);
    if (!store) throw new Error(`No event store is configured for aggregate ${aggregateName}: add it to the projection's sources.`);
    const events = await eventsThrough(store, aggregateId, checkpoint, pending[pending.length - 1].version, pending);
    let applied = checkpoint;
    let failure: HandlerFailure | undefined;
    for (const event of events) {
      await sql`SAVEPOINT ${SAVEPOINT}`.execute(trx);
      try {
        for (const current of upcastEvent(upcasters, event)) {
          await ownFunction<AnySqlHandler>(handlers, current.type)?.(current, { db: trx, projectionName: deps.projectionName });
        }
        await sql`RELEASE SAVEPOINT ${SAVEPOINT}`.execute(trx);
        applied = event.version;
      } catch (error) {
        // A conflict ends the whole transaction: it runs again from the checkpoint.
        if (sqlErrorOf(error).kind === 'conflict') throw error;
        await sql`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`.execute(trx);
        failure = { version: event.version, error };
        break;
      }
    }
    if (applied > checkpoint) await writeCheckpoint(trx, aggregateName, aggregateId, applied);
    return failure;
  });
}

/** The last version of the aggregate applied in this generation (0: none), locked until the transaction ends. */
async function readCheckpoint(trx: Transaction<unknown>, aggregateName: string, aggregateId: string): Promise<number> {
  const { rows } = await sql<{ version: number | string }>`SELECT version FROM ${sql.id(CHECKPOINTS_TABLE)}
    WHERE aggregate_name = ${aggregateName} AND aggregate_id = ${aggregateId} FOR UPDATE`.execute(trx);
  return rows.length === 0 ? 0 : Number(rows[0].version);
}

async function writeCheckpoint(trx: Transaction<unknown>, aggregateName: string, aggregateId: string, version: number): Promise<void> {
  // Only forward: a checkpoint never moves back, whatever ran in between.
  await sql`INSERT INTO ${sql.id(CHECKPOINTS_TABLE)} (aggregate_name, aggregate_id, version) VALUES (${aggregateName}, ${aggregateId}, ${version})
    ON CONFLICT (aggregate_name, aggregate_id) DO UPDATE SET version = GREATEST(${sql.id(CHECKPOINTS_TABLE, 'version')}, EXCLUDED.version)`.execute(trx);
}

/** Runs `run` again while PostgreSQL ends its transaction to keep it serializable, up to SQL_CONFLICT_TRIES times. */
export async function withConflictRetries<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= SQL_CONFLICT_TRIES || sqlErrorOf(error).kind !== 'conflict') throw error;
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
    }
  }
}

/** Runs `work` on each item, at most `limit` at once. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
