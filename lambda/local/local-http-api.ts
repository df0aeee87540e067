import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Invocation } from './function-host';
import type { CorsConfiguration, HttpApiResource } from './http-api-topology';
import { answerOf, gatewayAnswers, joinedHeaders, newRequestId, payloadV2Event, type HttpResponse, type RawHttpRequest } from './http-event';
import { matchRoute } from './http-routes';
import type { LocalIssuer } from './local-issuer';
import { authorize } from './route-authorizer';

/** API Gateway's payload limit for an HTTP API request: 10 MB. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** One request a local HTTP API answered: what the trace shows of it. */
export interface HttpRequestTrace {
  /** The API's construct path. */
  readonly api: string;
  readonly method: string;
  readonly path: string;
  /** The route it matched, if any. */
  readonly routeKey?: string;
  readonly statusCode: number;
  /** True when the route's function ran (a 401, a 404, a 413 run nothing). */
  readonly invoked: boolean;
}

export interface LocalHttpApiSettings {
  readonly api: HttpApiResource;
  readonly accountId: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Verifies tokens on routes with JWT or IAM authorization; required when the API has such routes. */
  readonly issuer?: LocalIssuer;
  /** Runs a function of the app, as `LocalCloud.invoke` does (so the trace shows it). */
  readonly invoke: (functionKey: string, event: unknown) => Promise<Invocation>;
  readonly onRequest?: (trace: HttpRequestTrace) => void;
}

export interface RunningHttpApi {
  readonly api: HttpApiResource;
  /** `http://127.0.0.1:<port>`: the `$default` stage's URL (another stage is under `/<stage name>`). */
  readonly url: string;
  readonly stop: () => Promise<void>;
}

/** An answer, the route it came from, and whether a function ran; a CORS preflight's is final as it is. */
interface Answered {
  readonly response: HttpResponse;
  readonly routeKey?: string;
  readonly invoked: boolean;
  readonly preflight?: boolean;
}

/** A stable id in API Gateway's shape (10 characters), from the API's key, so that events name the same API from run to run. */
const apiIdOf = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 10);

/** The request's body, unless it passes the limit: then it is read to its end (so the client can read the answer) and dropped. */
function readBody(request: http.IncomingMessage): Promise<Buffer | 'too large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    request.on('end', () => resolve(size > MAX_REQUEST_BYTES ? 'too large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** The value of `access-control-allow-origin` for `origin`, when the configuration allows it. */
function allowedOrigin(cors: CorsConfiguration, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  const origins = cors.AllowOrigins ?? [];
  if (origins.includes(origin)) return origin;
  return origins.includes('*') ? '*' : undefined;
}

/** API Gateway's answer to a CORS preflight, made from the API's CorsConfiguration without invoking anything. */
function preflight(cors: CorsConfiguration, headers: Readonly<Record<string, string>>): HttpResponse {
  const origin = allowedOrigin(cors, headers.origin);
  const lines: [string, string][] = [];
  if (origin !== undefined) {
    lines.push(['access-control-allow-origin', origin]);
    const methods = cors.AllowMethods ?? [];
    if (methods.length > 0) lines.push(['access-control-allow-methods', methods.join(',')]);
    const allowHeaders = cors.AllowHeaders ?? [];
    const requested = headers['access-control-request-headers'];
    if (allowHeaders.includes('*') && requested) lines.push(['access-control-allow-headers', requested]);
    else if (allowHeaders.length > 0) lines.push(['access-control-allow-headers', allowHeaders.join(',')]);
    if (cors.MaxAge !== undefined) lines.push(['access-control-max-age', String(cors.MaxAge)]);
    if (cors.AllowCredentials) lines.push(['access-control-allow-credentials', 'true']);
  }
  return { statusCode: 204, headers: lines, body: Buffer.alloc(0) };
}

/** An answer with the API's CORS headers in place of any the function set, as API Gateway does when the API has a CorsConfiguration. */
function withCors(response: HttpResponse, cors: CorsConfiguration | undefined, origin: string | undefined): HttpResponse {
  if (!cors) return response;
  const headers = response.headers.filter(([name]) => !name.startsWith('access-control-'));
  const allowed = allowedOrigin(cors, origin);
  if (allowed !== undefined) {
    headers.push(['access-control-allow-origin', allowed]);
    if (cors.AllowCredentials) headers.push(['access-control-allow-credentials', 'true']);
    if ((cors.ExposeHeaders ?? []).length > 0) headers.push(['access-control-expose-headers', (cors.ExposeHeaders ?? []).join(',')]);
  }
  return { ...response, headers };
}

/**
 * Writes the answer, with API Gateway's request id and the length of the body as sent (a length
 * or encoding the function set would not be its). A header node refuses (a value with a line
 * break, say) makes it API Gateway's 500 instead, which is what was sent.
 */
function send(response: http.ServerResponse, answer: HttpResponse, requestId: string): HttpResponse {
  const framing = new Set(['content-length', 'transfer-encoding', 'connection']);
  const lines = (sent: HttpResponse) => [...sent.headers.filter(([name]) => !framing.has(name)), ['apigw-requestid', requestId], ['content-length', String(sent.body.length)]].flat();
  try {
    response.writeHead(answer.statusCode, lines(answer));
  } catch {
    const fault = gatewayAnswers.internalError();
    response.writeHead(fault.statusCode, lines(fault));
    response.end(fault.body);
    return fault;
  }
  response.end(answer.body);
  return answer;
}

/** The stage a path is for, and the path within it: `/<stage>/...` for a named stage, else the `$default` stage. */
function stageOf(stages: readonly string[], path: string): { readonly stage: string; readonly path: string } | undefined {
  const first = path.split('/')[1] ?? '';
  if (first !== '' && first !== '$default' && stages.includes(first)) return { stage: first, path: path.slice(first.length + 1) || '/' };
  return stages.includes('$default') ? { stage: '$default', path } : undefined;
}

/**
 * An HTTP API of the app, served on 127.0.0.1 as API Gateway serves it: the route chosen as
 * API Gateway chooses, its authorization applied (see `authorize`), a payload 2.0 event made from
 * the request, the route's function run through the local run's invoke, and its result turned
 * into the HTTP answer. API Gateway's own answers (404, 401, 403, 413, 500) carry its bodies.
 */
export async function startLocalHttpApi(settings: LocalHttpApiSettings): Promise<RunningHttpApi> {
  const { api } = settings;
  const apiId = apiIdOf(api.key);

  async function answer(request: http.IncomingMessage, requestId: string): Promise<Answered> {
    const body = await readBody(request);
    if (body === 'too large') return { response: gatewayAnswers.tooLarge(), invoked: false };
    const headers = joinedHeaders(request.rawHeaders);
    const method = request.method ?? 'GET';
    if (api.cors && method === 'OPTIONS' && headers.origin !== undefined && headers['access-control-request-method'] !== undefined) {
      return { response: preflight(api.cors, headers), invoked: false, preflight: true };
    }
    const url = request.url ?? '/';
    const staged = stageOf(api.stages, url.split('?')[0]);
    const matched = staged && matchRoute(api.routes, method, staged.path);
    if (!staged || !matched) return { response: gatewayAnswers.notFound(), invoked: false };
    const { route } = matched;
    if (route.target.kind === 'unsupported') return { response: gatewayAnswers.notEmulated(`${route.routeKey} is not served locally: ${route.target.what}`), routeKey: route.routeKey, invoked: false };
    const queryStringParameters = Object.fromEntries(new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : ''));
    const authorized = await authorize(route.authorization, { headers, queryStringParameters }, settings.issuer, settings.accountId);
    if (!authorized.ok) return { response: authorized.response, routeKey: route.routeKey, invoked: false };
    const raw: RawHttpRequest = { method, url, rawHeaders: request.rawHeaders, body, sourceIp: request.socket.remoteAddress ?? '127.0.0.1', httpVersion: request.httpVersion };
    const event = payloadV2Event(raw, {
      accountId: settings.accountId, apiId, stage: staged.stage, routeKey: route.routeKey, pathParameters: matched.pathParameters, authorizer: authorized.authorizer,
    }, requestId);
    const invocation = await settings.invoke(route.target.functionKey, event);
    // A function that throws (or times out) is API Gateway's 500; the trace has the function's error.
    return { response: invocation.ok ? answerOf(invocation.result) : gatewayAnswers.internalError(), routeKey: route.routeKey, invoked: true };
  }

  const server = http.createServer((request, response) => {
    const requestId = newRequestId();
    answer(request, requestId)
      .catch((error: unknown): Answered => {
        // A fault of the local server itself: API Gateway's 500 to the client, the cause on stderr for the developer.
        process.stderr.write(`cdk-cqrs local: ${api.path} failed to answer ${request.method} ${request.url}: ${error instanceof Error ? error.stack : String(error)}\n`);
        return { response: gatewayAnswers.internalError(), invoked: false };
      })
      .then(({ response: answered, routeKey, invoked, preflight: isPreflight }) => {
        const final = send(response, isPreflight ? answered : withCors(answered, api.cors, request.headers.origin), requestId);
        settings.onRequest?.({ api: api.path, method: request.method ?? 'GET', path: (request.url ?? '/').split('?')[0], routeKey, statusCode: final.statusCode, invoked });
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    api,
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
