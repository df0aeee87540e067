import { ScanCommand, type DynamoDBDocumentClient, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { sql } from 'kysely';
import { EVENT_STORE, SQL_READ_MODEL } from '../../lib/private/runtime-contract';
import { describeError, isRecord } from '../shared/guards';
import { EventStore } from '../store/event-store';
import { REBUILD_DEFAULTS, isRebuildRequest, logToStdout, type RebuildContext, type SelfInvoker } from '../projection/rebuild-request';
import type { AnySqlProjection } from './define-sql-projection';
import { projectAggregate, withConflictRetries, type SqlProjectorDeps } from './project-sql-messages';
import { sqlProjectionCode } from './sql-projection-code';
import { createGeneration, dropGeneration, ensureRegistry, liveGenerations, lockProjection, type Generation } from './sql-generations';
import { recordedMigrations, runMigration } from './sql-migrations';

/**
 * The SQL projector's payload that starts or continues a blue-green rebuild.
 *
 * `{ "rebuild": { "totalSegments": 4 } }` makes a new generation (fresh tables, made by the
 * migrations the active generation applied) that live projection writes too from then on, and
 * fans out: one asynchronous invocation per aggregate read and Scan segment. Each scans its segment
 * of that aggregate's event store and projects every aggregate it finds into the new generation;
 * the last segment to finish switches queries to it, in one transaction. `"restart": true` drops
 * a rebuild that is under way and starts again; without it, a rebuild under way is left to finish.
 */
export interface SqlRebuildRequest {
  readonly rebuild: {
    /** @default 4 */
    readonly totalSegments?: number;
    /** Drop the generation a rebuild is filling, and start a new one. @default false */
    readonly restart?: boolean;
    /** Set by the fan-out: the generation being filled, the aggregate whose event store this invocation scans, its segment. */
    readonly generation?: number;
    readonly source?: string;
    readonly segment?: number;
    /** Where the segment's Scan stopped (its LastEvaluatedKey). */
    readonly resumeFrom?: Record<string, unknown>;
    /** @default 100 */
    readonly pageSize?: number;
  };
}

export interface SqlRebuildDeps extends SqlProjectorDeps {
  /** Per aggregate the projection reads, its event-store table. */
  readonly sources: ReadonlyMap<string, string>;
  readonly dynamoDb: DynamoDBDocumentClient;
  readonly lambda: SelfInvoker;
  /** Progress, one entry per step. @default - one JSON line on stdout */
  readonly progress?: (entry: Record<string, unknown>) => void;
}

/** What one invocation did. */
export interface SqlRebuildReport {
  readonly generation: number;
  /** `started`: a new generation and its segments; `running`: a rebuild was already under way; `segment`: a segment's pages; `switched`: the last segment ended and queries read the new generation. */
  readonly outcome: 'started' | 'running' | 'segment' | 'switched' | 'stale';
  readonly aggregates: number;
}

export async function rebuildSqlProjection(projection: AnySqlProjection, request: SqlRebuildRequest, context: RebuildContext, deps: SqlRebuildDeps): Promise<SqlRebuildReport> {
  const rebuild = validated(request.rebuild, deps);
  const progress = deps.progress ?? logToStdout;
  const { InvokeCommand } = await import('@aws-sdk/client-lambda');
  const invoke = (next: SqlRebuildRequest['rebuild']) => deps.lambda.send(new InvokeCommand({
    FunctionName: context.functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify({ rebuild: next })),
  }));
  if (rebuild.generation === undefined) {
    const { generation, started } = await startGeneration(projection, deps, rebuild.totalSegments, rebuild.restart);
    if (!started) {
      progress({ message: `Rebuild of ${deps.projectionName}: generation ${generation.generation} is being rebuilt already; it goes on. Send "restart": true to start again.`, projection: deps.projectionName, generation: generation.generation });
      return { generation: generation.generation, outcome: 'running', aggregates: 0 };
    }
    const work = [...deps.sources.keys()].flatMap((source) => Array.from({ length: rebuild.totalSegments }, (_, segment) => ({ source, segment })));
    const sent = await Promise.allSettled(work.map(({ source, segment }) => invoke({ generation: generation.generation, source, segment, totalSegments: rebuild.totalSegments, pageSize: rebuild.pageSize })));
    const refused = sent.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (refused) {
      // A segment never invoked never finishes: the generation would stay building for good (written live, never switched, and every later start told it goes on).
      await dropBuilding(deps, generation);
      throw new Error(`Rebuild of ${deps.projectionName}: invoking its segments failed (${describeError(refused.reason)}), so ${generation.schemaName} was dropped and nothing is being rebuilt; queries read the active generation as before. Start the rebuild again.`, { cause: refused.reason });
    }
    progress({ message: `Rebuild of ${deps.projectionName} started into ${generation.schemaName}: ${work.length} segments.`, projection: deps.projectionName, generation: generation.generation });
    return { generation: generation.generation, outcome: 'started', aggregates: 0 };
  }
  const generation = (await liveGenerations(deps.db, deps.projectionName)).find((g) => g.generation === rebuild.generation && g.status === 'building');
  if (!generation) {
    progress({ message: `Rebuild of ${deps.projectionName}: generation ${rebuild.generation} is no longer being rebuilt (switched, or dropped by a restart); this segment stops.`, projection: deps.projectionName, generation: rebuild.generation });
    return { generation: rebuild.generation, outcome: 'stale', aggregates: 0 };
  }
  const { source, segment } = rebuild as { source: string; segment: number };
  const { aggregates, resumeKey } = await scanSegment(projection, deps, context, generation, rebuild);
  if (resumeKey) {
    await invoke({ ...rebuild, resumeFrom: resumeKey });
    progress({ message: `Rebuild of ${deps.projectionName}: ${source} segment ${segment} goes on in a new invocation.`, projection: deps.projectionName, generation: generation.generation, source, segment, aggregates });
    return { generation: generation.generation, outcome: 'segment', aggregates };
  }
  const switched = await finishSegment(deps, generation, source, segment);
  progress({
    message: switched ? `Rebuild of ${deps.projectionName}: done; queries read ${generation.schemaName} now.` : `Rebuild of ${deps.projectionName}: ${source} segment ${segment} done.`,
    projection: deps.projectionName, generation: generation.generation, source, segment, aggregates, done: true,
  });
  return { generation: generation.generation, outcome: switched ? 'switched' : 'segment', aggregates };
}

/**
 * Makes the generation a rebuild fills, in one transaction holding the projection's lock: its
 * schema, the migrations the active generation applied (their recorded texts), its segments'
 * progress rows, and its registry row as `building`, from which moment live projection writes it
 * too. So every event is in it: those stored before are found by the Scan, which starts after;
 * those projected after reach it live.
 */
async function startGeneration(projection: AnySqlProjection, deps: SqlRebuildDeps, totalSegments: number, restart: boolean): Promise<{ generation: Generation; started: boolean }> {
  // A registry made by an earlier version lacks the tables of a later one (the migrator, which makes them, runs when a migration changes).
  await ensureRegistry(deps.db);
  return deps.db.transaction().execute(async (trx) => {
    await lockProjection(trx, deps.projectionName);
    const live = await liveGenerations(trx, deps.projectionName);
    const active = live.find((g) => g.status === 'active');
    if (!active) throw new Error(`cdk-cqrs: projection ${deps.projectionName} has no tables to rebuild from: deploy it first (its migrations make them).`);
    const building = live.find((g) => g.status === 'building');
    if (building && !restart) return { generation: building, started: false };
    if (building) await dropGeneration(trx, building);
    const generation = await createGeneration(trx, deps.projectionName, 'building', sqlProjectionCode(projection));
    for (const migration of await recordedMigrations(trx, active.schemaName)) await runMigration(trx, generation, migration);
    for (const source of deps.sources.keys()) {
      for (let segment = 0; segment < totalSegments; segment += 1) {
        await sql`INSERT INTO ${sql.id(SQL_READ_MODEL.registrySchema, 'rebuild_segments')} (projection, generation, source, segment)
          VALUES (${deps.projectionName}, ${generation.generation}, ${source}, ${segment})`.execute(trx);
      }
    }
    return { generation, started: true };
  });
}

/** Drops a generation if it is still the one being rebuilt (a restart may have dropped it already). */
async function dropBuilding(deps: SqlRebuildDeps, generation: Generation): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await lockProjection(trx, deps.projectionName);
    const building = (await liveGenerations(trx, deps.projectionName)).find((g) => g.generation === generation.generation && g.status === 'building');
    if (building) await dropGeneration(trx, building);
  });
}

/** Scans one segment of a source's event store page by page while time allows, projecting each aggregate it finds from its first event. */
async function scanSegment(
  projection: AnySqlProjection, deps: SqlRebuildDeps, context: RebuildContext, generation: Generation, rebuild: ReturnType<typeof validated>,
): Promise<{ aggregates: number; resumeKey?: Record<string, unknown> }> {
  const { source, segment, totalSegments, pageSize } = rebuild as { source: string; segment: number; totalSegments: number; pageSize: number };
  const table = deps.sources.get(source) as string;
  const store = new EventStore(deps.dynamoDb, table, 0);
  const done = new Set<string>();
  let startKey = rebuild.resumeFrom;
  do {
    const page: ScanCommandOutput = await deps.dynamoDb.send(new ScanCommand({
      TableName: table, Segment: segment, TotalSegments: totalSegments, ConsistentRead: true, Limit: pageSize,
      ProjectionExpression: '#pk', FilterExpression: '#kind = :event',
      ExpressionAttributeNames: { '#pk': EVENT_STORE.partitionKey, '#kind': EVENT_STORE.kindAttribute },
      ExpressionAttributeValues: { ':event': EVENT_STORE.kinds.event },
      ExclusiveStartKey: startKey,
    }));
    // An aggregate's items share a partition key: all in this segment, maybe over two pages (then projected twice, which changes nothing).
    for (const aggregateId of new Set((page.Items ?? []).map((item) => item[EVENT_STORE.partitionKey] as string))) {
      if (done.has(aggregateId)) continue;
      done.add(aggregateId);
      const events = await store.readRange(aggregateId, 1, Number.MAX_SAFE_INTEGER);
      if (events.length === 0) continue;
      const failure = await withConflictRetries(() => projectAggregate(projection, deps, generation, events));
      if (failure) {
        throw new Error(`Rebuild of ${deps.projectionName}: the handler of ${source} ${aggregateId} version ${failure.version} threw, so the rebuild cannot finish: ${describeError(failure.error)}. Fix the handler, deploy, and start the rebuild again with "restart": true.`);
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey && context.getRemainingTimeInMillis() > REBUILD_DEFAULTS.marginMillis);
  return { aggregates: done.size, ...(startKey ? { resumeKey: startKey } : {}) };
}

/**
 * Marks a segment done and, when it was the last, switches: the active generation is retired and
 * this one made active in one transaction, so a query reads one or the other, never a mix and
 * never nothing. Generations retired before are dropped; the one just retired is kept until the
 * next rebuild (to compare, or to switch back by hand).
 */
async function finishSegment(deps: SqlRebuildDeps, generation: Generation, source: string, segment: number): Promise<boolean> {
  const registry = (table: string) => sql.id(SQL_READ_MODEL.registrySchema, table);
  return deps.db.transaction().execute(async (trx) => {
    await lockProjection(trx, deps.projectionName);
    await sql`UPDATE ${registry('rebuild_segments')} SET done = true, updated_at = now()
      WHERE projection = ${deps.projectionName} AND generation = ${generation.generation} AND source = ${source} AND segment = ${segment}`.execute(trx);
    const { rows } = await sql<{ left: number | string }>`SELECT count(*) AS left FROM ${registry('rebuild_segments')}
      WHERE projection = ${deps.projectionName} AND generation = ${generation.generation} AND NOT done`.execute(trx);
    const current = (await liveGenerations(trx, deps.projectionName)).find((g) => g.generation === generation.generation);
    if (Number(rows[0].left) > 0 || current?.status !== 'building') return false;
    const { rows: retired } = await sql<{ generation: number; schema_name: string }>`SELECT generation, schema_name FROM ${registry('generations')}
      WHERE projection = ${deps.projectionName} AND status = 'retired'`.execute(trx);
    for (const old of retired) await dropGeneration(trx, { ...generation, generation: Number(old.generation), schemaName: old.schema_name, status: 'retired' });
    await sql`UPDATE ${registry('generations')} SET status = 'retired' WHERE projection = ${deps.projectionName} AND status = 'active'`.execute(trx);
    await sql`UPDATE ${registry('generations')} SET status = 'active', switched_at = now() WHERE projection = ${deps.projectionName} AND generation = ${generation.generation}`.execute(trx);
    return true;
  });
}

/** True for a rebuild request (as a document projector tells one): an object with a `rebuild` object and no SQS `Records`. */
export const isSqlRebuildRequest = (event: unknown): event is SqlRebuildRequest => isRebuildRequest(event);

function validated(rebuild: SqlRebuildRequest['rebuild'], deps: SqlRebuildDeps) {
  const fail = (what: string, given: unknown): never => {
    throw new Error(`cdk-cqrs: a rebuild request's ${what} (given ${JSON.stringify(given)}).`);
  };
  const isInteger = (value: unknown, min: number, max: number) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
  const totalSegments = rebuild.totalSegments ?? REBUILD_DEFAULTS.totalSegments;
  if (!isInteger(totalSegments, 1, 1000)) fail('totalSegments must be an integer from 1 to 1000', totalSegments);
  const pageSize = rebuild.pageSize ?? REBUILD_DEFAULTS.pageSize;
  if (!isInteger(pageSize, 1, Number.MAX_SAFE_INTEGER)) fail('pageSize must be an integer of 1 or more', pageSize);
  if (rebuild.restart !== undefined && typeof rebuild.restart !== 'boolean') fail('restart must be true or false', rebuild.restart);
  if (rebuild.generation !== undefined) {
    if (!isInteger(rebuild.generation, 1, Number.MAX_SAFE_INTEGER)) fail('generation must be an integer of 1 or more', rebuild.generation);
    if (typeof rebuild.source !== 'string' || !deps.sources.has(rebuild.source)) fail(`source must be one of ${[...deps.sources.keys()].join(', ')}`, rebuild.source);
    if (!isInteger(rebuild.segment, 0, totalSegments - 1)) fail(`segment must be an integer from 0 to ${totalSegments - 1}`, rebuild.segment);
    if (rebuild.resumeFrom !== undefined && !isRecord(rebuild.resumeFrom)) fail('resumeFrom must be an object', rebuild.resumeFrom);
  }
  return { ...rebuild, totalSegments, pageSize, restart: rebuild.restart === true };
}
