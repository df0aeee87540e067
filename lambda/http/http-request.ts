import type { Caller, CommandEnvelope } from '../shared/envelope';

export type { Caller } from '../shared/envelope';
import { ValidationError } from '../shared/errors';
import { checkCommandKeys } from '../store/keys';
import { idProblem } from '../write/command-envelope';
import { Forbidden } from './problem';

/** The parts of API Gateway's HTTP API event (payload format 2.0) that a command or a read uses. */
export interface HttpApiEvent {
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly pathParameters?: Readonly<Record<string, string | undefined>>;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: {
    readonly requestId: string;
    readonly authorizer?: {
      readonly jwt?: { readonly claims?: Readonly<Record<string, unknown>> };
      readonly iam?: {
        readonly userArn?: string;
        readonly userId?: string;
        /** Set when the credentials are a Cognito identity pool's: every user of the pool signs with one role session. */
        readonly cognitoIdentity?: { readonly identityId?: string; readonly identityPoolId?: string; readonly amr?: readonly string[] };
      };
    };
  };
}


/**
 * The largest body a command takes. EventBridge takes an event of 256 KB at most, and an event
 * carries its payload's data, so a larger body could never be stored and published.
 */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * The verified caller of `event`, or undefined when the route has no authorizer. An authorizer's
 * identity without a subject (a token with no `sub`) is Forbidden, not anonymous: taken as
 * anonymous it would pass every rule that judges a known caller.
 */
export function callerOf(event: HttpApiEvent): Caller | undefined {
  const authorizer = event.requestContext.authorizer as (NonNullable<HttpApiEvent['requestContext']['authorizer']> & Record<string, unknown>) | undefined;
  // No authorizer: an anonymous route. Any other kind than JWT or IAM (a Lambda authorizer's
  // context) names nobody the runtime can read: refused, never taken as anonymous, which would
  // pass every rule written "when a caller is known, it must be ...".
  if (authorizer === undefined) return undefined;
  if (authorizer.jwt === undefined && authorizer.iam === undefined) {
    throw new Forbidden('The route\'s authorizer is neither JWT nor IAM: the runtime cannot tell who the caller is.');
  }
  const claims = authorizer.jwt?.claims;
  if (claims && typeof claims.sub === 'string' && claims.sub !== '') return { subject: claims.sub, claims };
  const iam = authorizer.iam;
  // A Cognito identity pool's users share one role session ARN; the identity id is the person.
  const identityId = iam?.cognitoIdentity?.identityId;
  if (typeof identityId === 'string' && identityId !== '') return { subject: identityId, claims: { identityPoolId: iam?.cognitoIdentity?.identityPoolId ?? '' } };
  const arn = iam?.userArn;
  if (typeof arn === 'string' && arn !== '') return { subject: arn, claims: {} };
  throw new Forbidden('The verified identity names no subject (a token needs a sub claim).');
}

/** Who vouches for the caller's subject: a JWT's issuer (a sub is unique only within it), or AWS IAM. */
const issuerOf = (caller: Caller): string => (typeof caller.claims.iss === 'string' ? caller.claims.iss : 'aws-iam');

/**
 * A key of the caller's own: `<length>:<issuer><length>:<subject><key>`. The issuer, because a
 * `sub` is unique only within its issuer (one aggregate may sit behind two APIs); the lengths make
 * it unambiguous whatever either holds (a `:` included), so two callers never share an
 * idempotency key or a read-your-writes session.
 */
export const scopedToCaller = (caller: Caller, key: string): string => {
  const issuer = issuerOf(caller);
  return `${issuer.length}:${issuer}${caller.subject.length}:${caller.subject}${key}`;
};

/** The caller's read-your-writes session: their commands write to it, their reads merge it. */
export const sessionIdOf = (caller: Caller): string => scopedToCaller(caller, '');

const header = (event: HttpApiEvent, name: string): string | undefined => {
  // API Gateway's HTTP API gives header names in lower case; a repeated header arrives joined by commas.
  const value = event.headers?.[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
};

/** The request's correlation id: its `X-Correlation-Id`, else API Gateway's request id. */
export const correlationIdOf = (event: HttpApiEvent): string => header(event, 'x-correlation-id') ?? event.requestContext.requestId;

const invalid = (message: string, path: string): ValidationError => new ValidationError(message, [{ message, path: [path] }]);

/** The version an `If-Match: "<version>"` names; only one strong entity tag, as the ETag of a command's answer is. */
function versionOf(ifMatch: string): number {
  const match = /^"(0|[1-9][0-9]{0,15})"$/.exec(ifMatch);
  const version = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(version)) {
    throw invalid(`If-Match must be one strong entity tag "<version>", as the ETag of an answer is (given ${JSON.stringify(ifMatch.slice(0, 40))}).`, 'If-Match');
  }
  return version;
}

/** The expected version the conditional headers give: If-Match "<n>" is n, If-None-Match * is 0 (a creation). */
function expectedVersionOf(event: HttpApiEvent): number | undefined {
  const ifMatch = header(event, 'if-match');
  const ifNoneMatch = header(event, 'if-none-match');
  if (ifMatch !== undefined && ifNoneMatch !== undefined) throw invalid('Give If-Match or If-None-Match, not both.', 'If-None-Match');
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch !== '*') throw invalid('If-None-Match takes only * (the aggregate must not exist yet).', 'If-None-Match');
    return 0;
  }
  return ifMatch === undefined ? undefined : versionOf(ifMatch);
}

/** The body as text: base64 decoded when API Gateway encoded it, well-formed UTF-8, at most MAX_BODY_BYTES. */
function bodyText(event: HttpApiEvent): string {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw invalid(`The body is ${bytes.length} bytes; a request takes at most ${MAX_BODY_BYTES} (EventBridge's event size, which a command's payload must fit).`, 'body');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid('The body is not well-formed UTF-8.', 'body');
  }
}

/** The payload: the body, a JSON object. */
function payloadOf(event: HttpApiEvent): Record<string, unknown> {
  const text = bodyText(event);
  let payload: unknown;
  try {
    payload = JSON.parse(text === '' ? '{}' : text);
  } catch {
    throw invalid('The body is not JSON: it must be a JSON object.', 'body');
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw invalid('The body must be a JSON object.', 'body');
  return payload as Record<string, unknown>;
}

const pathParameter = (event: HttpApiEvent, name: string): string => {
  const value = event.pathParameters?.[name];
  if (value === undefined || value === '') throw invalid(`The path has no ${name}.`, name);
  return value;
};

/**
 * The command envelope of `POST /{resource}/{aggregateId}/{commandType}`: the body is the payload;
 * `If-Match: "<version>"` the expected version, `If-None-Match: *` version 0; `Idempotency-Key`
 * the commandId and the caller's read-your-writes session, both scoped to the caller;
 * `X-Correlation-Id` the correlation id (else API Gateway's request id). Bad input is a
 * ValidationError, before anything is written.
 */
export function commandFromHttp(event: HttpApiEvent, caller: Caller | undefined): CommandEnvelope {
  const idempotencyKey = header(event, 'idempotency-key');
  if (idempotencyKey !== undefined && caller === undefined) {
    // Without a verified caller, two callers could replay each other's key and read each other's answers.
    throw invalid('Idempotency-Key needs an authenticated caller: keys are scoped to the caller.', 'Idempotency-Key');
  }
  const correlationId = correlationIdOf(event);
  const expectedVersion = expectedVersionOf(event);
  return {
    type: pathParameter(event, 'commandType'),
    aggregateId: pathParameter(event, 'aggregateId'),
    payload: payloadOf(event),
    ...(expectedVersion === undefined ? {} : { expectedVersion }),
    ...(idempotencyKey === undefined || caller === undefined ? {} : { commandId: scopedToCaller(caller, idempotencyKey) }),
    ...(caller === undefined ? {} : { sessionId: sessionIdOf(caller), caller }),
    metadata: { correlationId },
  };
}

/** A query request as the query function takes it. */
export interface QueryRequest {
  readonly type: string;
  readonly params: Record<string, unknown>;
  readonly caller?: Caller;
}

/**
 * The query request of `GET /queries/{queryType}?name=value...` (each parameter a string, as a
 * query string carries it) or `POST /queries/{queryType}` with the parameters as a JSON object body.
 */
export function queryFromHttp(event: HttpApiEvent & { readonly routeKey?: string; readonly requestContext: { readonly http?: { readonly method?: string } } }, caller: Caller | undefined): QueryRequest {
  const method = event.requestContext.http?.method ?? 'GET';
  const params = method === 'POST' ? payloadOf(event) : { ...(event.queryStringParameters ?? {}) };
  return { type: queryTypeOf(event), params, ...(caller === undefined ? {} : { caller }) };
}

/**
 * The query type: a `{queryType}` path parameter, else the last segment of the route
 * (`GET /queries/ListOrders`, as CqrsHttpApi makes one route per query type). The route, not the
 * request's path: API Gateway matched it, so it is one of the routes the API was built with.
 */
function queryTypeOf(event: HttpApiEvent & { readonly routeKey?: string }): string {
  if (event.pathParameters?.queryType !== undefined) return pathParameter(event, 'queryType');
  const route = event.routeKey ?? '';
  const segment = route.slice(route.lastIndexOf('/') + 1);
  if (segment === '' || segment.includes('{') || route === '$default') throw invalid('The route names no query: it must be /queries/{queryType}.', 'queryType');
  return segment;
}

/** A read of one projection's view of one aggregate. */
export interface ProjectionReadRequest {
  readonly projectionName: string;
  readonly aggregateId: string;
}

/**
 * The read of `GET /{resource}/{aggregateId}/{projectionName}`. The aggregate id is checked as a
 * command's is (non-empty, well-formed, within a partition key), so a bad one is a 400 before
 * anything is read.
 */
export function projectionReadFromHttp(event: HttpApiEvent): ProjectionReadRequest {
  const projectionName = pathParameter(event, 'projectionName');
  const aggregateId = pathParameter(event, 'aggregateId');
  const problem = idProblem(aggregateId, 'aggregateId');
  if (problem !== undefined) throw invalid(`The path's aggregateId ${problem}.`, 'aggregateId');
  checkCommandKeys({ aggregateId }, 'The path');
  return { projectionName, aggregateId };
}
