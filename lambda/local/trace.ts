import type { LocalTrace } from './local-cloud';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const short = (functionName: string) => functionName.split('/').slice(1).filter((part) => part !== 'Function').join('/') || functionName;

/**
 * One readable line per step of a local run: commands and their answers, stream batches
 * published, events routed by the rules, queue batches projected, and the clock jumping over
 * a visibility timeout. Anything else a function is invoked with is summed up by its shape.
 */
export function formatTrace(trace: LocalTrace): string {
  if (trace.kind === 'clock') return `   ⏱  clock +${Math.round(trace.advancedMs / 1000)} s: messages left for later (a visibility timeout, a delayed duplicate) are visible again`;
  if (trace.kind === 'routed') {
    const { event, matchedRules, duplicated } = trace.routed;
    const detail = isObject(event.detail) ? event.detail : {};
    const rules = matchedRules.length === 0 ? 'no rule matches' : `→ ${matchedRules.map((rule) => short(rule.replace(/\/Resource$/, ''))).join(', ')}`;
    const twice = duplicated ? ' (and again 1 s later: at-least-once delivery)' : '';
    return `   ⇢ bus: ${event['detail-type']} ${String(detail.aggregateId ?? '')} v${String(detail.version ?? '?')} ${rules}${twice}`;
  }
  if (trace.kind === 'http') {
    const { method, path, routeKey, statusCode, invoked } = trace.request;
    // Every request, after its invocation's line when it made one: a request refused before any function ran shows only here.
    return `   ⇄ http: ${method} ${path} → ${statusCode}${routeKey ? ` (${routeKey})` : ''}${invoked ? '' : ', nothing invoked'}`;
  }
  const { functionName, event, invocation } = trace;
  const name = short(functionName);
  const outcome = invocation.ok ? describeResult(invocation.result) : `✖ threw ${invocation.error.errorType}: ${invocation.error.errorMessage}`;
  return `▶ ${name}: ${describeEvent(event)} ${outcome}`.trimEnd();
}

function describeEvent(event: unknown): string {
  if (!isObject(event)) return '';
  // An API Gateway HTTP API request (payload 2.0).
  if (event.version === '2.0' && isObject(event.requestContext) && isObject(event.requestContext.http)) {
    return `HTTP ${String(event.requestContext.http.method)} ${String(event.rawPath)}`;
  }
  const records = Array.isArray(event.Records) ? event.Records as Json[] : undefined;
  if (records) {
    const source = records[0]?.eventSource === 'aws:sqs' ? 'queue message' : 'stream record';
    return `${records.length} ${source}${records.length === 1 ? '' : 's'}`;
  }
  if (typeof event.type === 'string' && typeof event.aggregateId === 'string') {
    const expected = event.expectedVersion === undefined ? '' : ` (expectedVersion ${String(event.expectedVersion)})`;
    return `${event.type} ${event.aggregateId}${expected}`;
  }
  if (typeof event.type === 'string') return `${event.type} ${JSON.stringify(event.params ?? {})}`;
  return JSON.stringify(event).slice(0, 80);
}

function describeResult(result: unknown): string {
  if (!isObject(result)) return '✔';
  if (typeof result.statusCode === 'number') return describeHttpAnswer(result.statusCode, result.body);
  if (isObject(result.error)) return `✖ rejected: ${String(result.error.name)}: ${String(result.error.message)}`;
  if (Array.isArray(result.batchItemFailures)) {
    const failed = result.batchItemFailures.length;
    return failed === 0 ? '✔ all done' : `✖ ${failed} failed (left in the queue or stream for a retry)`;
  }
  if (Array.isArray(result.events) && typeof result.version === 'number') {
    const types = (result.events as Json[]).map((e) => String(e.type));
    return `✔ v${result.version}${types.length > 0 ? ` [${types.join(', ')}]` : ' (no new events)'}`;
  }
  return '✔';
}

/** An HTTP answer: its status, and what its JSON body says (a command's events, a problem's kind and detail). */
function describeHttpAnswer(statusCode: number, body: unknown): string {
  let parsed: unknown;
  try {
    parsed = typeof body === 'string' ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  const mark = statusCode < 400 ? '✔' : '✖';
  if (isObject(parsed) && typeof parsed.type === 'string' && parsed.type.startsWith('urn:cdk-cqrs:problem:')) {
    return `${mark} ${statusCode} ${parsed.type.slice('urn:cdk-cqrs:problem:'.length)}${typeof parsed.detail === 'string' ? `: ${parsed.detail}` : ''}`;
  }
  const detail = isObject(parsed) ? describeResult(parsed).replace(/^✔ ?/, '') : '';
  return `${mark} ${statusCode}${detail ? ` ${detail}` : ''}`;
}
