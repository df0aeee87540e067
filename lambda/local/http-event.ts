import { randomBytes } from 'node:crypto';

/** The request as the local server read it off the socket. */
export interface RawHttpRequest {
  readonly method: string;
  /** The request target as sent: path and query string, percent-encoded. */
  readonly url: string;
  /** Name, value, name, value...: node's `rawHeaders`, repeats and order kept. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly httpVersion: string;
}

/** Where the request arrived and what it matched. */
export interface EventContext {
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly routeKey: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly authorizer?: Readonly<Record<string, unknown>>;
}

/** Header names in lower case, a repeated header's values joined by commas: how API Gateway's payload 2.0 gives them. */
export function joinedHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) joinInto(headers, rawHeaders[i].toLowerCase(), rawHeaders[i + 1]);
  return headers;
}

/**
 * Adds `value` under `name`, after the values already there, joined by a comma. Own properties
 * only, defined rather than assigned: a name sent as `constructor` or `__proto__` is a key like any
 * other, never Object's inherited one, nor the object's prototype.
 */
function joinInto(into: Record<string, string>, name: string, value: string): void {
  const joined = Object.hasOwn(into, name) ? `${into[name]},${value}` : value;
  Object.defineProperty(into, name, { value: joined, enumerable: true, writable: true, configurable: true });
}

/**
 * Content types API Gateway's HTTP API passes as text; any other body (a form, an image, a
 * request with no content type) is base64-encoded, with `isBase64Encoded: true`.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type.startsWith('text/') || /^application\/(?:[\w.+-]+\+)?(?:json|xml)$/.test(type) || type === 'application/javascript';
}

const decodedPath = (path: string): string => {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};

/** API Gateway's request time format: `02/Dec/2026:14:20:43 +0000`. */
function requestTime(date: Date): string {
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/** A request id in API Gateway's shape (16 characters, base64 of random bytes, ending `=`). */
export const newRequestId = (): string => `${randomBytes(11).toString('base64').slice(0, 15)}=`;

/**
 * The payload 2.0 event API Gateway's HTTP API would give the route's function: headers in lower
 * case with repeats joined by commas, the `cookie` header moved to `cookies`, query string
 * parameters and path parameters decoded (a repeated query parameter's values joined by commas),
 * `rawPath` decoded as the HTTP API gives it (the routing used the encoded path), and the body as
 * text or, for a content type that is not text, base64.
 */
export function payloadV2Event(request: RawHttpRequest, context: EventContext, requestId: string, now: Date = new Date()): Record<string, unknown> {
  const headers = joinedHeaders(request.rawHeaders);
  const cookieHeader = headers.cookie;
  delete headers.cookie;
  const query = request.url.indexOf('?') < 0 ? '' : request.url.slice(request.url.indexOf('?') + 1);
  const queryStringParameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(query)) joinInto(queryStringParameters, name, value);
  const rawPath = decodedPath(request.url.split('?')[0]);
  const text = isTextContentType(headers['content-type']);
  return {
    version: '2.0',
    routeKey: context.routeKey,
    rawPath,
    rawQueryString: query,
    // API Gateway leaves out what the request has none of.
    ...(cookieHeader === undefined ? {} : { cookies: cookieHeader.split(';').map((cookie) => cookie.trim()).filter((cookie) => cookie !== '') }),
    headers,
    ...(query === '' ? {} : { queryStringParameters }),
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      ...(context.authorizer === undefined ? {} : { authorizer: context.authorizer }),
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: (headers.host ?? '127.0.0.1').split('.')[0],
      http: {
        method: request.method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp.replace(/^::ffff:/, ''),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: context.routeKey,
      stage: context.stage,
      time: requestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(Object.keys(context.pathParameters).length === 0 ? {} : { pathParameters: context.pathParameters }),
    ...(request.body.length === 0 ? {} : { body: text ? request.body.toString('utf8') : request.body.toString('base64') }),
    isBase64Encoded: request.body.length > 0 && !text,
  };
}

/** An HTTP answer, as the local server writes it. */
export interface HttpResponse {
  readonly statusCode: number;
  /** Each value one header line: `set-cookie` may repeat. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

const json = (statusCode: number, message: string, extra: ReadonlyArray<readonly [string, string]> = []): HttpResponse => ({
  statusCode, headers: [['content-type', 'application/json'], ...extra], body: Buffer.from(JSON.stringify({ message })),
});

/** API Gateway's own answers, with the bodies it sends. */
export const gatewayAnswers = {
  notFound: () => json(404, 'Not Found'),
  unauthorized: (wwwAuthenticate: string) => json(401, 'Unauthorized', [['www-authenticate', wwwAuthenticate]]),
  forbidden: (wwwAuthenticate?: string) => json(403, 'Forbidden', wwwAuthenticate ? [['www-authenticate', wwwAuthenticate]] : []),
  tooLarge: () => json(413, 'Request Entity Too Large'),
  internalError: () => json(500, 'Internal Server Error'),
  /** Not API Gateway's: a route local runs cannot serve, with why, so that it is not mistaken for the app's answer. */
  notEmulated: (what: string) => json(501, `cdk-cqrs local: ${what}.`),
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The HTTP answer API Gateway makes of a function's result in payload format 2.0: a result with
 * a `statusCode` is structured (`headers`, `body`, `isBase64Encoded`, `cookies` as `set-cookie`
 * lines); anything else is a 200 whose body is the result as JSON. A structured result that API
 * Gateway could not use (a status code out of range) is its 500.
 */
export function answerOf(result: unknown): HttpResponse {
  if (!isRecord(result) || result.statusCode === undefined) {
    return { statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify(result ?? null)) };
  }
  const statusCode = Number(result.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return gatewayAnswers.internalError();
  const headers: [string, string][] = Object.entries(isRecord(result.headers) ? result.headers : {}).map(([name, value]) => [name.toLowerCase(), String(value)]);
  if (!headers.some(([name]) => name === 'content-type')) headers.push(['content-type', 'application/json']);
  for (const cookie of Array.isArray(result.cookies) ? result.cookies : []) headers.push(['set-cookie', String(cookie)]);
  const body = result.body === undefined || result.body === null ? '' : typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
  return { statusCode, headers, body: result.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8') };
}
