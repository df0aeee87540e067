import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, attachCustomSynthesis } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { CqrsHttpApiProps, HttpApiAggregateProps } from './cqrs-http-api-props';
import { HttpApiAuth } from './http-api-auth';
import { aggregateInternalsOf, type AggregateInternals } from './private/aggregate-internals';
import { httpRoutes, kebabCase, type ExposedAggregate, type HttpRoute } from './private/http/http-routes';
import { openApiDocument } from './private/http/openapi';
import { ProjectionReaderFunction } from './private/constructs/projection-reader-function';
import { validateHttpApiProps } from './private/http/http-api-validation';

const DEFAULTS = {
  throttlingRateLimit: 100,
  throttlingBurstLimit: 200,
  accessLogRetention: logs.RetentionDays.ONE_YEAR,
};

/**
 * An authenticated HTTP API (API Gateway HTTP API) in front of one or more aggregates, with
 * routes derived from them:
 *
 * - `POST /<resource>/{aggregateId}/{commandType}`: the body is the command's payload;
 *   `If-Match: "<version>"` its expected version, `If-None-Match: *` a creation;
 *   `Idempotency-Key` its command id (scoped to the caller); `X-Correlation-Id` its correlation id.
 *   Answers 201 (a creation) or 200 with `{ aggregateId, version, events }` and `ETag: "<version>"`;
 *   rejections are RFC 9457 problems (400, 404, 409, 422), a fault a 500 with a correlation id.
 * - `GET /<resource>/{aggregateId}/{projectionName}`: a document of an exposed projection, with
 *   the caller's own pending writes when the aggregate has read-your-writes.
 * - `GET /queries/{queryType}?...` and `POST /queries/{queryType}`: the aggregates' queries.
 *
 * The command and query functions answer API Gateway themselves: no function in between. Every
 * route takes the same `auth` (IAM by default), and the verified caller reaches `decide` and the
 * query handlers as `caller`. An OpenAPI 3.1 document of the routes is written to the cloud
 * assembly (`<stack>.<path>.openapi.json`) and is `openApiDocument`.
 *
 * @example
 * const api = new CqrsHttpApi(this, 'Api', {
 *   aggregates: [{ aggregate: orders, exposeProjections: ['OrderView'] }],
 *   auth: HttpApiAuth.cognito({ userPool, userPoolClients: [client] }),
 * });
 */
export class CqrsHttpApi extends Construct {
  /** The HTTP API. */
  public readonly httpApi: apigwv2.HttpApi;
  /** Its stage (`$default`), with the throttling and the access logs. */
  public readonly stage: apigwv2.HttpStage;
  /** The URL of the API's execute-api endpoint, ending in `/`. */
  public readonly url: string;
  /** Where the API writes its access logs: one JSON object per request. */
  public readonly accessLogGroup: logs.ILogGroup;
  /** The API's alarms, with no actions: add yours. */
  public readonly alarms: cloudwatch.AlarmBase[];
  /** The OpenAPI 3.1 document of the routes, as JSON. */
  public readonly openApiDocument: string;
  /** The file in the cloud assembly (`cdk.out`) that holds `openApiDocument`. */
  public readonly openApiFileName: string;
  /** How routes are authorized: `JWT`, `AWS_IAM` or `NONE`. */
  public readonly authorizationType: string;

  constructor(scope: Construct, id: string, props: CqrsHttpApiProps) {
    super(scope, id);
    const where = `CqrsHttpApi '${id}'`;
    const exposed = resolveAggregates(where, props.aggregates ?? []);
    validateHttpApiProps(where, props, exposed);
    const auth = props.auth ?? HttpApiAuth.iam();
    this.authorizationType = auth.authorizationType;

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: props.apiName,
      description: `HTTP API of ${exposed.map((entry) => entry.aggregate.aggregateName).join(', ')} (cdk-cqrs)`,
      corsPreflight: props.corsPreflight && corsWithApiHeaders(props.corsPreflight),
      disableExecuteApiEndpoint: props.disableExecuteApiEndpoint,
      // The stage below has the throttling and the logs a default stage cannot be given.
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? DEFAULTS.accessLogRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.accessLogGroup = accessLogs;
    this.stage = this.httpApi.addStage('Stage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttlingRateLimit ?? DEFAULTS.throttlingRateLimit,
        burstLimit: props.throttlingBurstLimit ?? DEFAULTS.throttlingBurstLimit,
      },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: accessLogFormat() },
      domainMapping: props.domainMapping,
    });
    this.url = this.stage.url;

    const routes = httpRoutes(exposed);
    const authorizer = auth._createAuthorizer('Authorizer');
    const integrationsByFunction = new Map<lambda.IFunction, apigwv2.HttpRouteIntegration>();
    const readers = new Map<AggregateInternals, lambda.IFunction>();
    for (const entry of exposed) {
      if (entry.projections.length === 0) continue;
      const projections = entry.projections.map((projectionName) => ({
        projectionName, entry: entry.aggregate.definitions.projections.find((projection) => projection.projectionName === projectionName)!.entry,
      }));
      readers.set(entry.aggregate, new ProjectionReaderFunction(this, `${entry.aggregate.aggregateName}Reader`, { aggregate: entry.aggregate, projections }).function);
    }
    const functionOf = (route: HttpRoute): lambda.IFunction => {
      if (route.target === 'command') return route.aggregate.commandHandler;
      if (route.target === 'query') return route.aggregate.queryHandler!;
      return readers.get(route.aggregate)!;
    };
    for (const route of routes) {
      const fn = functionOf(route);
      let integration = integrationsByFunction.get(fn);
      if (!integration) {
        integration = new integrations.HttpLambdaIntegration(`${route.aggregate.aggregateName}-${route.target}`, fn, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        });
        integrationsByFunction.set(fn, integration);
      }
      this.httpApi.addRoutes({
        path: route.path,
        methods: [route.method === 'GET' ? apigwv2.HttpMethod.GET : apigwv2.HttpMethod.POST],
        integration,
        authorizer,
        authorizationScopes: auth.scopes.length > 0 ? auth.scopes : undefined,
      });
    }

    this.alarms = [new cloudwatch.Alarm(this, 'ServerErrorsAlarm', {
      alarmDescription: `${this.node.path}: the API answered a 5xx (a fault in a function, which it logged with the request's correlation id, or in API Gateway's integration). Search the functions' logs for the correlation id, or the access logs for the request.`,
      metric: this.httpApi.metricServerError({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    })];

    this.openApiDocument = JSON.stringify(openApiDocument({ title: props.apiName ?? this.node.path, routes, exposed, auth }), null, 2);
    const stack = Stack.of(this);
    // `<stack>.<path in the stack>.openapi.json`: one file per API, beside the stack's template.
    const pathInStack = this.node.path.slice(stack.node.path.length + 1);
    this.openApiFileName = `${stack.artifactId}.${pathInStack.replace(/[^A-Za-z0-9_-]+/g, '-')}.openapi.json`;
    const document = this.openApiDocument;
    const fileName = this.openApiFileName;
    attachCustomSynthesis(this, {
      onSynthesize: (session) => fs.writeFileSync(path.join(session.outdir, fileName), document),
    });
    new CfnOutput(this, 'Url', { value: this.url, description: `${this.node.path}: the API's URL` });
  }

  /**
   * Lets `grantee` call every route of an API with `HttpApiAuth.iam()`: `execute-api:Invoke` on
   * this API's routes, in this stage.
   *
   * Throws if the API's auth is not IAM.
   */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    if (this.authorizationType !== 'AWS_IAM') {
      throw new Error(`CqrsHttpApi '${this.node.id}': grantInvoke is for an API with auth: HttpApiAuth.iam(); this one is ${this.authorizationType}, so callers prove who they are with its tokens, not with IAM.`);
    }
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: [this.httpApi.arnForExecuteApi('*', '/*', this.stage.stageName)] });
  }
}

/** Each aggregate with its defaults; throws for what cannot be exposed. */
function resolveAggregates(where: string, aggregates: HttpApiAggregateProps[]): ExposedAggregate[] {
  return aggregates.map((props) => {
    const aggregate = aggregateInternalsOf(props.aggregate, where);
    return {
      aggregate,
      resource: props.resource ?? kebabCase(aggregate.aggregateName),
      commands: props.commands ?? true,
      projections: [...(props.exposeProjections ?? [])],
      queries: props.queries ?? aggregate.queryHandler !== undefined,
    };
  });
}

/**
 * The CORS settings given, with what the API's own headers need unless set: a browser may send
 * the headers a command takes, and may read the `ETag` (the version to send back as If-Match) and
 * the correlation id, which it cannot from another origin unless they are exposed.
 */
function corsWithApiHeaders(cors: apigwv2.CorsPreflightOptions): apigwv2.CorsPreflightOptions {
  return {
    ...cors,
    allowHeaders: cors.allowHeaders ?? ['authorization', 'content-type', 'if-match', 'if-none-match', 'idempotency-key', 'x-correlation-id'],
    allowMethods: cors.allowMethods ?? [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST, apigwv2.CorsHttpMethod.OPTIONS],
    exposeHeaders: [...new Set([...(cors.exposeHeaders ?? []), 'etag', 'x-correlation-id'])],
  };
}

/** One JSON object per request: who, what, how it ended, and the ids to find it in the functions' logs. */
function accessLogFormat(): apigateway.AccessLogFormat {
  return apigateway.AccessLogFormat.custom(JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationStatus: '$context.integrationStatus',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
    subject: '$context.authorizer.claims.sub',
    iamUser: '$context.identity.userArn',
  }));
}

