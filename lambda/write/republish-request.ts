import type { InvokeCommand } from '@aws-sdk/client-lambda';
import { ValidationError } from '../shared/errors';
import { isRecord } from '../shared/guards';
import { PUT_EVENTS_LIMITS } from './publish-events';
import type { PendingAggregate, RepublishDeps, TimeWindow } from './republish-events';

/**
 * The publisher's payload that puts stored events on the bus again, instead of stream records:
 * the way back for events the stream dropped (their batch is in the publisher's DLQ).
 *
 * `{ "republish": { "from": "<ISO time>", "to": "<ISO time>" } }` republishes every event whose
 * `metadata.occurredAt` is in the window: one asynchronous invocation per Scan segment.
 * `{ "republish": { "aggregateIds": ["c-1"], "from"?: ..., "to"?: ... } }` republishes those
 * aggregates' events (in the window, if given) in this invocation.
 * The other fields are the continuation an invocation short of time hands to the next one.
 */
export interface RepublishRequest {
  readonly republish: {
    /** Start of the window on `metadata.occurredAt`, inclusive (ISO 8601 with a time zone). */
    readonly from?: string;
    /** End of the window, inclusive. */
    readonly to?: string;
    /** Only these aggregates (at most 100): a Query each instead of a Scan. */
    readonly aggregateIds?: readonly string[];
    /** The Scan is split in this many segments. @default 4 */
    readonly totalSegments?: number;
    /** The one segment this invocation scans. @default - none: start one invocation per segment */
    readonly segment?: number;
    /** Where the segment's Scan stopped (its LastEvaluatedKey). @default - its start */
    readonly resumeFrom?: Record<string, unknown>;
    /** Aggregates found but not finished by the invocation that handed over. */
    readonly pending?: readonly PendingAggregate[];
    /** Items read per Scan or Query page. @default 100 */
    readonly pageSize?: number;
  };
}

export const REPUBLISH_DEFAULTS = {
  totalSegments: 4,
  pageSize: 100,
  /** An invocation starts no new step with less than this left: it invokes its continuation instead. */
  marginMillis: 10_000,
};
/** Bounds that keep a request, and the continuation it hands over, well inside an invocation payload. */
const LIMITS = { totalSegments: 1000, aggregateIds: 100, pending: 1000, pageSize: 1000 };
const FIELDS = ['from', 'to', 'aggregateIds', 'totalSegments', 'segment', 'resumeFrom', 'pending', 'pageSize'];
/** ISO 8601 with a time, and a zone: a time without one would be read in the function's zone. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The part of the Lambda context a republish reads (aws-lambda's Context fits). */
export interface RepublishContext {
  readonly functionName: string;
  getRemainingTimeInMillis(): number;
}

/** The part of a Lambda client a republish uses to invoke its function again (a LambdaClient fits). */
export interface RepublishInvoker {
  send(command: InvokeCommand): Promise<unknown>;
}

export interface RepublishRequestDeps extends RepublishDeps {
  readonly lambda: RepublishInvoker;
}

/** What one invocation did. */
export interface RepublishReport {
  /** Segments started (a fan-out), or the segment scanned; empty for aggregateIds. */
  readonly segments: number[];
  /** Aggregates whose events (in the window) were all republished by this invocation. */
  readonly aggregates: number;
  /** Events put on the bus by this invocation. */
  readonly events: number;
  /** True when this invocation ran short of time and invoked its continuation. */
  readonly continued: boolean;
}

/** True for a republish request: an object with a `republish` field and no stream `Records`. */
export function isRepublishRequest(event: unknown): event is RepublishRequest {
  return isRecord(event) && !('Records' in event) && 'republish' in event;
}

type Plan = ReturnType<typeof validated>;

/**
 * Runs one republish request. Every event goes through the outbox's own publishing code, each
 * aggregate's in version order; a retried or repeated request only republishes again, which
 * consumers take as duplicates.
 */
export async function handleRepublishRequest(request: RepublishRequest, context: RepublishContext, deps: RepublishRequestDeps): Promise<RepublishReport> {
  const plan = validated(request.republish);
  // Loaded here, not at cold start: only a republish invokes Lambda and reads the event store.
  const [{ InvokeCommand }, steps] = await Promise.all([import('@aws-sdk/client-lambda'), import('./republish-events')]);
  const invoke = (next: RepublishRequest['republish']) => deps.lambda.send(new InvokeCommand({
    FunctionName: context.functionName,
    InvocationType: 'Event',
    Payload: new TextEncoder().encode(JSON.stringify({ republish: next })),
  }));
  const window = plan.window;
  const log = deps.log ?? ((entry: Record<string, unknown>) => console.log(JSON.stringify(entry)));

  if (plan.segment === undefined && plan.pending === undefined && window) {
    const segments = Array.from({ length: plan.totalSegments }, (_, i) => i);
    await Promise.all(segments.map((segment) => invoke({ ...window, totalSegments: plan.totalSegments, segment, pageSize: plan.pageSize })));
    log({ message: `Republish of ${window.from}..${window.to} started: ${plan.totalSegments} segments.`, ...window, totalSegments: plan.totalSegments });
    return { segments, aggregates: 0, events: 0, continued: false };
  }

  const run = await runSteps(plan, context, deps, steps);
  const handOver = run.pending.length > 0 || run.scanFrom !== undefined;
  if (handOver) {
    await invoke({
      ...window, pageSize: plan.pageSize, pending: run.pending,
      // Once the segment's Scan is done, the continuation only finishes its pending aggregates.
      ...(run.scanFrom !== undefined && plan.segment !== undefined ? { totalSegments: plan.totalSegments, segment: plan.segment, ...(run.scanFrom.key ? { resumeFrom: run.scanFrom.key } : {}) } : {}),
    });
  }
  const where = plan.segment === undefined ? 'the given aggregates' : `segment ${plan.segment}`;
  log({
    message: `Republish of ${where}: ${handOver ? 'goes on in a new invocation' : 'done'}.`,
    ...window, ...(plan.segment === undefined ? {} : { segment: plan.segment }), aggregates: run.aggregates, events: run.events, done: !handOver,
  });
  return { segments: plan.segment === undefined ? [] : [plan.segment], aggregates: run.aggregates, events: run.events, continued: handOver };
}

/**
 * Steps until done or short of time: a step republishes a page of up to 10 pending aggregates;
 * with none pending, a segment reads its next Scan page. The first step always runs.
 */
async function runSteps(plan: Plan, context: RepublishContext, deps: RepublishDeps, { republishStep, scanForAggregates }: typeof import('./republish-events')) {
  let pending = [...(plan.pending ?? [])];
  // The Scan still to read, from `key` (undefined: its start); undefined when there is none.
  let scanFrom: { key?: Record<string, unknown> } | undefined = plan.segment === undefined ? undefined : { key: plan.resumeFrom };
  // An aggregate whose items span two Scan pages is republished once per invocation.
  const seen = new Set(pending.map((p) => p.aggregateId));
  let aggregates = 0;
  let events = 0;
  for (let step = 0; pending.length > 0 || scanFrom; step += 1) {
    if (step > 0 && context.getRemainingTimeInMillis() < REPUBLISH_DEFAULTS.marginMillis) break;
    if (pending.length === 0) {
      // Here scanFrom is set, so there is a segment and a window (validated); the guard is for the types.
      if (!scanFrom || !plan.window || plan.segment === undefined) break;
      const page = await scanForAggregates(deps, plan.window, { segment: plan.segment, totalSegments: plan.totalSegments }, scanFrom.key, plan.pageSize);
      pending = page.aggregateIds.filter((id) => !seen.has(id)).map((aggregateId) => ({ aggregateId, after: 0 }));
      pending.forEach((p) => seen.add(p.aggregateId));
      scanFrom = page.next ? { key: page.next } : undefined;
      continue;
    }
    const group = pending.slice(0, PUT_EVENTS_LIMITS.maxEntries);
    const result = await republishStep(deps, plan.window, group, plan.pageSize);
    events += result.published;
    aggregates += group.length - result.unfinished.length;
    pending = [...result.unfinished, ...pending.slice(group.length)];
  }
  return { pending, scanFrom, aggregates, events };
}

/** A bad field of a republish request: a ValidationError whose message and issue name the field. */
function fail(field: string, rule: string, given: unknown): never {
  throw new ValidationError(`cdk-cqrs: a republish request's ${field} ${rule} (given ${JSON.stringify(given)}).`, [{ message: rule, path: ['republish', field] }]);
}

const isInteger = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

const isPending = (value: unknown): value is PendingAggregate =>
  isRecord(value) && typeof value.aggregateId === 'string' && value.aggregateId.length > 0
  && typeof value.after === 'number' && Number.isFinite(value.after) && value.after >= 0;

/** `from` or `to` as the command handler writes occurredAt (toISOString), so that DynamoDB's string comparison orders them. */
function isoTime(field: 'from' | 'to', value: unknown): string {
  if (typeof value !== 'string' || !ISO_TIME.test(value) || Number.isNaN(Date.parse(value))) fail(field, 'must be an ISO 8601 time with a zone, like 2026-01-31T09:30:00Z', value);
  return new Date(value).toISOString();
}

/** The request checked, with its defaults. */
function validated(input: unknown) {
  if (!isRecord(input)) fail('body', 'must be an object', input);
  const unknown = Object.keys(input).find((key) => !FIELDS.includes(key));
  if (unknown !== undefined) fail(unknown, `is not a field (the fields are ${FIELDS.join(', ')})`, input[unknown]);
  if ((input.from === undefined) !== (input.to === undefined)) fail(input.from === undefined ? 'from' : 'to', 'must be given with the other end of the window', undefined);
  const window: TimeWindow | undefined = input.from === undefined ? undefined : { from: isoTime('from', input.from), to: isoTime('to', input.to) };
  if (window && window.from > window.to) fail('to', `must not be before from (${window.from})`, input.to);

  const ids = input.aggregateIds;
  if (ids !== undefined && (!Array.isArray(ids) || ids.length === 0 || ids.length > LIMITS.aggregateIds || !ids.every((id) => typeof id === 'string' && id.length > 0))) {
    fail('aggregateIds', `must be a list of 1 to ${LIMITS.aggregateIds} non-empty strings`, ids);
  }
  const given = input.pending;
  if (given !== undefined && (!Array.isArray(given) || given.length > LIMITS.pending || !given.every(isPending))) {
    fail('pending', `must be a list of at most ${LIMITS.pending} { aggregateId, after } (a non-empty string, a number of 0 or more)`, given);
  }
  const fromIds = ids === undefined ? undefined : [...new Set(ids as string[])].map((aggregateId): PendingAggregate => ({ aggregateId, after: 0 }));
  const pending = given === undefined && fromIds === undefined ? undefined : [...(given as PendingAggregate[] | undefined ?? []), ...(fromIds ?? [])];
  if (!window && pending === undefined) fail('from', 'and to (a window), or aggregateIds, must be given', undefined);

  const totalSegments = input.totalSegments ?? REPUBLISH_DEFAULTS.totalSegments;
  if (!isInteger(totalSegments, 1, LIMITS.totalSegments)) fail('totalSegments', `must be an integer from 1 to ${LIMITS.totalSegments}`, totalSegments);
  const segment = input.segment;
  if (segment !== undefined && (!isInteger(segment, 0, totalSegments - 1) || !window || ids !== undefined)) {
    fail('segment', `must be an integer from 0 to totalSegments - 1 (${totalSegments - 1}), with a window and without aggregateIds`, segment);
  }
  const resumeFrom = input.resumeFrom;
  if (resumeFrom !== undefined && (!isRecord(resumeFrom) || segment === undefined)) fail('resumeFrom', 'must be an object, with a segment', resumeFrom);
  const pageSize = input.pageSize ?? REPUBLISH_DEFAULTS.pageSize;
  if (!isInteger(pageSize, 1, LIMITS.pageSize)) fail('pageSize', `must be an integer from 1 to ${LIMITS.pageSize}`, pageSize);
  return { window, pending, totalSegments, segment, resumeFrom, pageSize };
}
