import { FunctionInvoker, type AggregateFunctionProps } from '../shared/function-invoker';
import { explicitOrConnectedName } from '../shared/client-env';
import type { Queries, QueryOf, QueryResultOf } from './define-queries';

/** Which query function a `QueryClient` runs: `{ aggregateName }` (it reads `CQRS_<aggregateName>_QUERY_FUNCTION`) or `{ functionName }`. */
export type QueryClientProps = AggregateFunctionProps;

/** The names of the queries of `Q` (a `defineQueries(...)` result); any string when `Q` is not given. */
export type QueryNameOf<Q> = Q extends Queries<infer Handlers> ? keyof Handlers & string : string;

/**
 * The parameters `query(name, ...)` takes: optional when the query's parameters may be left out
 * (a handler that takes none), required otherwise.
 */
export type QueryParamsArgs<Q, Name extends string> = Q extends Queries<unknown>
  ? Extract<QueryOf<Q>, { readonly type: Name }>['params'] extends infer Params
    ? undefined extends Params ? [params?: Params] : [params: Params]
    : never
  : [params?: unknown];

/** What a query answers, as it arrives over a Lambda invoke: a handler that returns `undefined` answers `null`. */
export type QueryAnswerOf<Q, Name extends string> = Q extends Queries<unknown> ? AsJsonAnswer<QueryResultOf<Q, Name>> : unknown;
type AsJsonAnswer<Result> = Result extends undefined ? null : Result;

/**
 * Runs queries on an aggregate's query function (`queries: { entry }` on CqrsAggregate): sends
 * `{ type, params }` and answers the query's result; a rejected query (`UnknownQuery`,
 * `ValidationError`, `DomainError`) is thrown as its typed error.
 *
 * `new QueryClient<typeof orderQueries>({ aggregateName: 'Order' })` (in a function given `connect`) types `query` by the module's
 * `defineQueries(...)`: its names, each one's params, and its result.
 *
 * @example
 * import type orderQueries from '../domain/order-queries';
 * const orders = new QueryClient<typeof orderQueries>({ aggregateName: 'Order' });
 * const order = await orders.query('GetOrder', { orderId: 'o-1' }); // the view, or null
 */
export class QueryClient<Q = unknown> {
  private readonly function: FunctionInvoker;
  /** The query function's name or ARN. */
  readonly functionName: string;
  constructor(props: QueryClientProps) {
    this.functionName = explicitOrConnectedName('QueryClient', { prop: 'functionName', value: props.functionName }, props.aggregateName, 'queryFunction');
    this.function = new FunctionInvoker(this.functionName, 'Query function', props.lambda);
  }

  async query<Name extends QueryNameOf<Q>>(type: Name, ...[params]: QueryParamsArgs<Q, Name>): Promise<QueryAnswerOf<Q, Name>> {
    return await this.function.invoke({ type, params }) as QueryAnswerOf<Q, Name>;
  }
}
