import { ConcurrencyError, CqrsError, DomainError, IdempotencyKeyReused, UnknownCommand, UnknownQuery, ValidationError } from '../shared/errors';
import { NotFound, UnknownProjection } from './read-rejections';

/**
 * The request is authenticated but may not go on: its verified identity names no subject, so no
 * key can be scoped to it and no domain rule can judge it (403).
 */
export class Forbidden extends CqrsError {
  constructor(message: string) {
    super('Forbidden', message);
  }
}

/** An answer to API Gateway (HTTP API, payload format 2.0). */
export interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** An RFC 9457 problem: `type` names the kind, `title` is fixed per kind, `detail` is about this occurrence. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly correlationId: string;
  readonly [extension: string]: unknown;
}

/** Each rejection, its status and the extension members it carries; looked up by the error's class, never by a name a caller sent. */
const KINDS: ReadonlyArray<{
  readonly is: (error: unknown) => boolean;
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly extensions: (error: never) => Record<string, unknown>;
}> = [
  { is: (e) => e instanceof Forbidden, type: 'forbidden', title: 'Forbidden', status: 403, extensions: () => ({}) },
  { is: (e) => e instanceof ValidationError, type: 'validation-error', title: 'The request is not valid', status: 400, extensions: (e: ValidationError) => ({ issues: e.issues }) },
  { is: (e) => e instanceof UnknownCommand, type: 'unknown-command', title: 'No such command', status: 404, extensions: (e: UnknownCommand) => ({ knownCommands: e.knownCommands }) },
  { is: (e) => e instanceof UnknownQuery, type: 'unknown-query', title: 'No such query', status: 404, extensions: (e: UnknownQuery) => ({ knownQueries: e.knownQueries }) },
  { is: (e) => e instanceof UnknownProjection, type: 'unknown-projection', title: 'No such projection', status: 404, extensions: (e: UnknownProjection) => ({ knownProjections: e.knownProjections }) },
  { is: (e) => e instanceof NotFound, type: 'not-found', title: 'No such document', status: 404, extensions: () => ({}) },
  { is: (e) => e instanceof ConcurrencyError, type: 'concurrency-error', title: 'The aggregate is at another version', status: 409, extensions: (e: ConcurrencyError) => ({ currentVersion: e.currentVersion }) },
  { is: (e) => e instanceof DomainError, type: 'domain-error', title: 'The domain refused the command', status: 422, extensions: (e: DomainError) => (e.details === undefined ? {} : { details: e.details }) },
  { is: (e) => e instanceof IdempotencyKeyReused, type: 'idempotency-key-reused', title: 'The Idempotency-Key was used for another request', status: 422, extensions: () => ({}) },
];

/** The URI of a problem type: a URN, so it names the kind without pointing at a page that may move. */
export const problemType = (kind: string): string => `urn:cdk-cqrs:problem:${kind}`;

/**
 * The RFC 9457 answer for a failed request. A rejection (a `CqrsError` the runtime knows) says
 * what was wrong; anything else is a fault: a 500 that carries the correlation id and nothing
 * internal (no message, no stack), so the caller can quote it and the logs can be searched for it.
 */
export function problemAnswer(error: unknown, correlationId: string): HttpAnswer {
  const kind = error instanceof CqrsError ? KINDS.find((candidate) => candidate.is(error)) : undefined;
  const problem: Problem = kind
    ? { ...kind.extensions(error as never), type: problemType(kind.type), title: kind.title, status: kind.status, detail: (error as Error).message, correlationId }
    : { type: problemType('internal-error'), title: 'Internal error', status: 500, correlationId };
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', 'x-correlation-id': correlationId },
    body: JSON.stringify(problem),
  };
}
