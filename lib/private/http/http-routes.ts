import type { AggregateInternals } from '../aggregate-internals';

/** What a route reaches. */
export type RouteTarget = 'command' | 'projection' | 'query';

/** One route of a `CqrsHttpApi`, as API Gateway and the OpenAPI document both see it. */
export interface HttpRoute {
  readonly method: 'GET' | 'POST';
  /** API Gateway's path, with `{name}` path parameters, e.g. `/orders/{aggregateId}/{commandType}`. */
  readonly path: string;
  readonly target: RouteTarget;
  readonly aggregate: AggregateInternals;
  /** For a query route: its query type. */
  readonly queryType?: string;
}

/** One aggregate on the API, its props resolved. */
export interface ExposedAggregate {
  readonly aggregate: AggregateInternals;
  readonly resource: string;
  readonly commands: boolean;
  readonly projections: string[];
  readonly queries: boolean;
}

/** The segment the queries' routes live under, so no aggregate may take it. */
export const QUERIES_SEGMENT = 'queries';

/** The names of the path parameters, as the runtime reads them (lambda/http/http-request.ts). */
export const PATH_PARAMETERS = { aggregateId: 'aggregateId', commandType: 'commandType', projectionName: 'projectionName' } as const;

/** `OrderLine` is `order-line`, `HTTPRequest` is `http-request`. */
export function kebabCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

/**
 * The routes of the API: per aggregate one command route and one projection route (a path
 * parameter each, so the function answers an unknown name with a problem, and the API stays at a
 * few resources whatever the number of commands), and a GET and a POST per query type (query
 * types of several aggregates share `/queries`, so each route names its type).
 */
export function httpRoutes(aggregates: readonly ExposedAggregate[]): HttpRoute[] {
  const { aggregateId, commandType, projectionName } = PATH_PARAMETERS;
  return aggregates.flatMap((exposed): HttpRoute[] => [
    ...(exposed.commands ? [{ method: 'POST' as const, path: `/${exposed.resource}/{${aggregateId}}/{${commandType}}`, target: 'command' as const, aggregate: exposed.aggregate }] : []),
    ...(exposed.projections.length > 0 ? [{ method: 'GET' as const, path: `/${exposed.resource}/{${aggregateId}}/{${projectionName}}`, target: 'projection' as const, aggregate: exposed.aggregate }] : []),
    ...(exposed.queries ? (exposed.aggregate.definitions.queryTypes ?? []).flatMap((queryType) => (['GET', 'POST'] as const).map((method) => ({
      method, path: `/${QUERIES_SEGMENT}/${queryType}`, target: 'query' as const, aggregate: exposed.aggregate, queryType,
    }))) : []),
  ]);
}
