import type { InvokeCommand } from '@aws-sdk/client-lambda';
import { isRecord } from '../shared/guards';
import type { AnyProjection } from './define-projection';
import { rebuildProjection, type RebuildDeps, type RebuildPosition } from './rebuild-projection';

/**
 * The projector's payload that starts or continues a rebuild, instead of an SQS event.
 *
 * `{ "rebuild": { "totalSegments": 4 } }` fans out: one asynchronous invocation per segment.
 * `{ "rebuild": { "totalSegments": 4, "segment": 2, "resumeFrom": {...} } }` scans one segment
 * until the invocation is nearly out of time, then invokes the function again to go on.
 */
export interface RebuildRequest {
  readonly rebuild: {
    /** The Scan is split in this many segments, each rebuilt by its own invocations. @default 4 */
    readonly totalSegments?: number;
    /** The one segment this invocation scans. @default - none: start one invocation per segment */
    readonly segment?: number;
    /** Where the segment's Scan stopped (its LastEvaluatedKey). @default - its start */
    readonly resumeFrom?: Record<string, unknown>;
    /** Items read per Scan page: a page's aggregates are folded one after the other. @default 100 */
    readonly pageSize?: number;
  };
}

export const REBUILD_DEFAULTS = {
  totalSegments: 4,
  pageSize: 100,
  /** An invocation reads no new page with less than this left: it invokes its continuation instead. */
  marginMillis: 10_000,
};

/** DynamoDB accepts 1 to 1,000,000 Scan segments. */
const MAX_TOTAL_SEGMENTS = 1_000_000;

/** The part of the Lambda context a rebuild reads (aws-lambda's Context fits). */
export interface RebuildContext {
  readonly functionName: string;
  getRemainingTimeInMillis(): number;
}

/** The part of a Lambda client a rebuild uses to invoke its function again (a LambdaClient fits). */
export interface SelfInvoker {
  send(command: InvokeCommand): Promise<unknown>;
}

export interface RebuildRequestDeps extends RebuildDeps {
  readonly lambda: SelfInvoker;
  /** Where progress is reported. @default - one JSON line on stdout per entry */
  readonly log?: (entry: Record<string, unknown>) => void;
}

/** What one invocation did. */
export interface RebuildReport {
  /** Segments started (a fan-out), or the segment scanned. */
  readonly segments: number[];
  /**
   * Aggregates folded and documents written by this invocation. An aggregate whose events span
   * the pages of two of its steps is folded (and counted) twice, which changes nothing.
   */
  readonly aggregates: number;
  readonly written: number;
  /** Set when this invocation ran out of time and invoked its continuation. */
  readonly continuedFrom?: Record<string, unknown>;
}

/**
 * What a projector that rebuilds needs besides its batch deps: the Lambda context (its function
 * name and remaining time) and a client to invoke itself, the one given or one made on the first
 * rebuild (not at cold start: only a rebuild invokes Lambda).
 */
export function rebuildInvocation(given?: SelfInvoker): (context: RebuildContext | undefined) => Promise<{ readonly context: RebuildContext; readonly lambda: SelfInvoker }> {
  let lambda = given;
  return async (context) => {
    if (!context) throw new Error('cdk-cqrs: a rebuild request needs the Lambda context (its function name and remaining time).');
    if (!lambda) {
      const { LambdaClient } = await import('@aws-sdk/client-lambda');
      lambda = new LambdaClient({});
    }
    return { context, lambda };
  };
}

/** True for a rebuild request: an object with a `rebuild` object and no SQS `Records`. */
export function isRebuildRequest(event: unknown): event is RebuildRequest {
  return isRecord(event) && !('Records' in event) && isRecord(event.rebuild);
}

/** The default progress log of a rebuild: one JSON line on stdout per step. */
export const logToStdout = (entry: Record<string, unknown>): void => console.log(JSON.stringify(entry));

/**
 * Runs one rebuild request (see `RebuildRequest`). Every step is idempotent (`rebuildProjection`),
 * so a retried or duplicated asynchronous invocation only repeats work.
 */
export async function handleRebuildRequest(projection: AnyProjection, request: RebuildRequest, context: RebuildContext, deps: RebuildRequestDeps): Promise<RebuildReport> {
  const log = deps.log ?? logToStdout;
  const { totalSegments, segment, resumeFrom, pageSize } = validated(request.rebuild);
  // Loaded here, not at cold start: only a rebuild invokes Lambda.
  const { InvokeCommand } = await import('@aws-sdk/client-lambda');
  const invoke = (next: RebuildRequest['rebuild']) => deps.lambda.send(new InvokeCommand({
    FunctionName: context.functionName,
    InvocationType: 'Event',
    Payload: new TextEncoder().encode(JSON.stringify({ rebuild: next })),
  }));
  // `message` first, so that it leads each JSON line; every entry sets its own.
  // Stryker disable next-line StringLiteral: equivalent, the value is always replaced (only the key's place matters)
  const base = { message: '', projection: deps.projectionName, totalSegments };

  if (segment === undefined) {
    const segments = Array.from({ length: totalSegments }, (_, i) => i);
    await Promise.all(segments.map((s) => invoke({ totalSegments, segment: s, pageSize })));
    log({ ...base, message: `Rebuild of ${deps.projectionName} started: ${totalSegments} segments.` });
    return { segments, aggregates: 0, written: 0 };
  }

  // Each call of rebuildProjection folds an aggregate once even when its events span its pages,
  // so the calls take as many pages as the time left allows, measured on the pages so far.
  let position: RebuildPosition | undefined = resumeFrom ? { [segment]: resumeFrom } : undefined;
  let aggregates = 0;
  let written = 0;
  let pagesRead = 0;
  let elapsed = 0;
  do {
    const pagesNow = pagesRead === 0 ? 1 : Math.max(1, Math.floor((context.getRemainingTimeInMillis() - REBUILD_DEFAULTS.marginMillis) / Math.max(1, elapsed / pagesRead) / 2));
    const started = Date.now();
    const step = await rebuildProjection(projection, deps, { totalSegments, segments: [segment], resumeFrom: position, maxPagesPerSegment: pagesNow, pageSize });
    elapsed += Date.now() - started;
    pagesRead += pagesNow;
    aggregates += step.aggregates;
    written += step.written;
    position = step.resumeFrom;
  } while (position && context.getRemainingTimeInMillis() > REBUILD_DEFAULTS.marginMillis);

  const next = position?.[segment];
  if (next) await invoke({ totalSegments, segment, resumeFrom: next, pageSize });
  log({
    ...base,
    message: next ? `Rebuild of ${deps.projectionName}: segment ${segment} goes on in a new invocation.` : `Rebuild of ${deps.projectionName}: segment ${segment} done.`,
    segment, aggregates, written, done: !next,
  });
  return { segments: [segment], aggregates, written, ...(next ? { continuedFrom: next } : {}) };
}

function validated(rebuild: RebuildRequest['rebuild']) {
  const fail = (what: string, given: unknown) => {
    throw new Error(`cdk-cqrs: a rebuild request's ${what} (given ${JSON.stringify(given)}).`);
  };
  const isInteger = (value: unknown, min: number, max: number) => typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
  const totalSegments = rebuild.totalSegments ?? REBUILD_DEFAULTS.totalSegments;
  if (!isInteger(totalSegments, 1, MAX_TOTAL_SEGMENTS)) fail(`totalSegments must be an integer from 1 to ${MAX_TOTAL_SEGMENTS}`, totalSegments);
  if (rebuild.segment !== undefined && !isInteger(rebuild.segment, 0, totalSegments - 1)) fail(`segment must be an integer from 0 to totalSegments - 1 (${totalSegments - 1})`, rebuild.segment);
  if (rebuild.resumeFrom !== undefined && (!isRecord(rebuild.resumeFrom) || rebuild.segment === undefined)) fail('resumeFrom must be an object, with a segment', rebuild.resumeFrom);
  const pageSize = rebuild.pageSize ?? REBUILD_DEFAULTS.pageSize;
  if (!isInteger(pageSize, 1, Number.MAX_SAFE_INTEGER)) fail('pageSize must be an integer of 1 or more', pageSize);
  return { totalSegments, segment: rebuild.segment, resumeFrom: rebuild.resumeFrom, pageSize };
}
