import type { HttpAnswer } from '../../lambda/http/problem';

/** A request to a route of API Gateway's HTTP API: `route` names its path parameters in braces, as the route key does. */
export interface HttpApiRequest {
  readonly method: 'GET' | 'POST';
  /** `/orders/{aggregateId}/{commandType}` */
  readonly route: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The `sub` of the caller's JWT, as the authorizer verified it; null: an anonymous route (no authorizer). */
  readonly sub: string | null;
  /** More claims of the caller's JWT, as API Gateway passes them (strings; a list as `[a b]`). */
  readonly claims?: Readonly<Record<string, string>>;
}

/** The event (payload format 2.0) a function gets for `request`, as API Gateway hands it over. */
export function httpApiEvent(request: HttpApiRequest) {
  // The path as given, not percent-encoded: a test may send an id no URI can encode (a lone surrogate).
  const path = request.route.replace(/\{(\w+)\}/g, (_, name: string) => request.pathParameters[name] ?? '');
  return {
    version: '2.0', routeKey: `${request.method} ${request.route}`, rawPath: path,
    headers: { ...request.headers },
    pathParameters: request.pathParameters,
    ...(request.body === undefined ? {} : { body: request.body, isBase64Encoded: false }),
    requestContext: {
      requestId: `req-${Math.random()}`, http: { method: request.method, path },
      ...(request.sub === null ? {} : { authorizer: { jwt: { claims: { ...request.claims, sub: request.sub }, scopes: null } } }),
    },
  };
}

/** What a handler answered an HTTP API event, with its body parsed. */
export async function httpAnswer(handler: (event: unknown) => Promise<unknown>, event: unknown): Promise<HttpAnswer & { json: Record<string, unknown> }> {
  const answer = await handler(event) as HttpAnswer;
  return { ...answer, json: JSON.parse(answer.body) as Record<string, unknown> };
}
