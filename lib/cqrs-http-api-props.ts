import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { CqrsAggregate } from './cqrs-aggregate';
import type { HttpApiAuth } from './http-api-auth';

/** One aggregate on a `CqrsHttpApi`, and which of its parts the API exposes. */
export interface HttpApiAggregateProps {
  /** The aggregate. */
  readonly aggregate: CqrsAggregate;

  /**
   * The first path segment of the aggregate's routes: `POST /<resource>/{aggregateId}/{commandType}`
   * and `GET /<resource>/{aggregateId}/{projectionName}`. Lower-case letters, digits and `-`,
   * starting with a letter; not `queries` (the queries' own segment).
   *
   * @default - the aggregateName in kebab-case (`OrderLine` is `order-line`)
   */
  readonly resource?: string;

  /**
   * Expose the aggregate's commands at `POST /<resource>/{aggregateId}/{commandType}`.
   *
   * @default true
   */
  readonly commands?: boolean;

  /**
   * The projections whose documents callers may read at `GET /<resource>/{aggregateId}/{projectionName}`
   * (by `projectionName`; custom projections cannot be read this way). A read sees the caller's own
   * writes that the projector has not applied yet when the aggregate has `readYourWrites`. Any
   * other projection name answers 404.
   *
   * @default - none: no projection is readable over HTTP
   */
  readonly exposeProjections?: string[];

  /**
   * Expose the aggregate's queries at `GET /queries/{queryType}` (parameters in the query string)
   * and `POST /queries/{queryType}` (parameters as a JSON body). Query types must be unique across
   * the API's aggregates. `true` on an aggregate without `queries` fails synth.
   *
   * @default - true when the aggregate has queries
   */
  readonly queries?: boolean;
}

/** Properties of a `CqrsHttpApi`. */
export interface CqrsHttpApiProps {
  /** The aggregates the API puts on the web: at least one. */
  readonly aggregates: HttpApiAggregateProps[];

  /**
   * How callers authenticate, on every route.
   *
   * @default HttpApiAuth.iam() - requests signed with SigV4 by a principal you grant with `grantInvoke`
   */
  readonly auth?: HttpApiAuth;

  /**
   * Requests per second the API serves on average, across its routes, before it answers 429.
   *
   * @default 100
   */
  readonly throttlingRateLimit?: number;

  /**
   * Requests the API serves at once in a burst before it answers 429.
   *
   * @default 200
   */
  readonly throttlingBurstLimit?: number;

  /**
   * CORS, for browsers calling the API from other origins. Unless you set them, the allowed
   * headers are those the API takes (`authorization`, `content-type`, `if-match`, `if-none-match`,
   * `idempotency-key`, `x-correlation-id`) and the methods GET, POST and OPTIONS; `etag` and
   * `x-correlation-id` are always exposed, so a page can read the version to send as If-Match.
   *
   * @default - no CORS: browsers call it only from its own origin
   */
  readonly corsPreflight?: apigwv2.CorsPreflightOptions;

  /**
   * A custom domain for the API (an `apigwv2.DomainName` with its certificate) and the path it is mapped at.
   *
   * @default - only the execute-api endpoint
   */
  readonly domainMapping?: apigwv2.DomainMappingOptions;

  /**
   * Turn off the default `execute-api` endpoint, so that callers can reach the API only through
   * `domainMapping`.
   *
   * @default false
   */
  readonly disableExecuteApiEndpoint?: boolean;

  /**
   * How long the JSON access logs are kept.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly accessLogRetention?: logs.RetentionDays;

  /**
   * The API's name.
   *
   * @default - the construct's path
   */
  readonly apiName?: string;
}
