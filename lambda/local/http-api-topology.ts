import type { ResourceId } from './resource-id';

/**
 * An API Gateway HTTP API of the app (`AWS::ApiGatewayV2::Api`, ProtocolType HTTP), with what a
 * local server needs from its routes, integrations, authorizers and stages.
 */
export interface HttpApiResource extends ResourceId {
  /** The Api's `Name`. */
  readonly name: string;
  readonly cors?: CorsConfiguration;
  /** Its stages' names: `$default` serves at the root, any other under `/<name>`. */
  readonly stages: readonly string[];
  readonly routes: readonly HttpRouteResource[];
}

/** The Api's `CorsConfiguration`, as CloudFormation names it. */
export interface CorsConfiguration {
  readonly AllowOrigins?: readonly string[];
  readonly AllowMethods?: readonly string[];
  readonly AllowHeaders?: readonly string[];
  readonly ExposeHeaders?: readonly string[];
  readonly AllowCredentials?: boolean;
  readonly MaxAge?: number;
}

/** What a route requires of a caller before its integration runs. */
export type RouteAuthorization =
  | { readonly kind: 'NONE' }
  | { readonly kind: 'JWT'; readonly authorizer: JwtAuthorizer; readonly scopes: readonly string[] }
  | { readonly kind: 'AWS_IAM' }
  /** A Lambda (REQUEST) authorizer, or anything else local runs do not evaluate: the route answers 501, naming it. */
  | { readonly kind: 'unsupported'; readonly what: string };

export interface JwtAuthorizer {
  /** The authorizer's construct path (or key). */
  readonly path: string;
  readonly issuer: string;
  readonly audience: readonly string[];
  /** Where the token is read: `$request.header.Authorization` unless the template says otherwise. */
  readonly identitySource: readonly string[];
}

/** What a route runs: a function of the app (Lambda proxy, payload 2.0), or something local runs do not serve. */
export type RouteTarget =
  | { readonly kind: 'function'; readonly functionKey: string }
  | { readonly kind: 'unsupported'; readonly what: string };

export interface HttpRouteResource extends ResourceId {
  /** `METHOD /path` (methods in upper case, `ANY` for all) or `$default`. */
  readonly routeKey: string;
  readonly target: RouteTarget;
  readonly authorization: RouteAuthorization;
}

interface RawResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/**
 * The HTTP APIs of one stack's template. Routes, integrations, authorizers and stages point at
 * their Api with `ApiId: { Ref }`, and a route at its integration with `Target:
 * integrations/<Ref>`, so they are gathered after the whole template is read. An integration's
 * `IntegrationUri` is the function's ARN (`Fn::GetAtt [fn, Arn]`, what `HttpLambdaIntegration`
 * writes), possibly inside a `Fn::Join` (an alias, or the older `arn:...:lambda:path/...`
 * form), or a `Ref` to a version or alias of one.
 */
export function readHttpApis(
  resources: Readonly<Record<string, RawResource>>,
  idOf: (logicalId: string) => ResourceId,
  functionKeys: ReadonlySet<string>,
): HttpApiResource[] {
  const byType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const apiOf = (props: Record<string, unknown>) => refOf(props.ApiId);
  const functionOf = (uri: unknown): string | undefined => referencedIds(uri)
    .map((logicalId) => {
      const resource = resources[logicalId];
      // A version or an alias names its function in FunctionName.
      if (resource?.Type === 'AWS::Lambda::Version' || resource?.Type === 'AWS::Lambda::Alias') return referencedIds(resource.Properties?.FunctionName)[0];
      return logicalId;
    })
    .map((logicalId) => logicalId && idOf(logicalId).key)
    .find((key) => key !== undefined && functionKeys.has(key));

  const integrations = new Map(byType('AWS::ApiGatewayV2::Integration').map(([logicalId, resource]): [string, RouteTarget] => {
    const props = resource.Properties ?? {};
    const functionKey = props.IntegrationType === 'AWS_PROXY' ? functionOf(props.IntegrationUri) : undefined;
    const path = idOf(logicalId).path;
    if (functionKey === undefined) {
      return [logicalId, { kind: 'unsupported', what: `its integration ${path} (${String(props.IntegrationType)}${props.IntegrationSubtype ? ` ${String(props.IntegrationSubtype)}` : ''}) is not a Lambda function of this app` }];
    }
    if (String(props.PayloadFormatVersion ?? '1.0') !== '2.0') {
      return [logicalId, { kind: 'unsupported', what: `its integration ${path} uses payload format ${String(props.PayloadFormatVersion ?? '1.0')}; local runs build 2.0 events only` }];
    }
    return [logicalId, { kind: 'function', functionKey }];
  }));

  const authorizers = new Map(byType('AWS::ApiGatewayV2::Authorizer').map(([logicalId, resource]): [string, RouteAuthorization] => {
    const props = resource.Properties ?? {};
    const path = idOf(logicalId).path;
    const jwt = props.JwtConfiguration as { Issuer?: unknown; Audience?: unknown } | undefined;
    const issuer = jwt === undefined ? undefined : templateString(jwt.Issuer);
    if (props.AuthorizerType !== 'JWT' || issuer === undefined) {
      return [logicalId, { kind: 'unsupported', what: `its authorizer ${path} is of type ${String(props.AuthorizerType)}${props.AuthorizerType === 'JWT' ? ' with an issuer local runs cannot read' : ''}, which local runs do not evaluate` }];
    }
    const audience = (Array.isArray(jwt?.Audience) ? jwt.Audience : []).map(templateString).filter((a): a is string => a !== undefined);
    const identitySource = Array.isArray(props.IdentitySource) ? props.IdentitySource.map(String) : ['$request.header.Authorization'];
    return [logicalId, { kind: 'JWT', authorizer: { path, issuer, audience, identitySource }, scopes: [] }];
  }));

  return byType('AWS::ApiGatewayV2::Api').flatMap(([apiId, api]): HttpApiResource[] => {
    const props = api.Properties ?? {};
    // A WebSocket API is no HTTP API; it is not served.
    if (props.ProtocolType !== 'HTTP') return [];
    const id = idOf(apiId);
    if (props.Body !== undefined || props.BodyS3Location !== undefined) {
      throw new Error(`cdk-cqrs local: ${id.path} is defined by an OpenAPI document (Body); local runs read routes from AWS::ApiGatewayV2::Route resources only.`);
    }
    const routes = byType('AWS::ApiGatewayV2::Route').filter(([, route]) => apiOf(route.Properties ?? {}) === apiId).map(([logicalId, route]): HttpRouteResource => {
      const routeProps = route.Properties ?? {};
      const integration = targetIntegration(routeProps.Target);
      const target: RouteTarget = (integration === undefined ? undefined : integrations.get(integration))
        ?? { kind: 'unsupported', what: `its Target ${JSON.stringify(routeProps.Target)} names no integration of this stack` };
      return { ...idOf(logicalId), routeKey: String(routeProps.RouteKey), target, authorization: authorizationOf(routeProps, authorizers) };
    });
    const stages = byType('AWS::ApiGatewayV2::Stage').filter(([, stage]) => apiOf(stage.Properties ?? {}) === apiId)
      .map(([, stage]) => String(stage.Properties?.StageName));
    return [{ ...id, name: String(props.Name ?? apiId), cors: props.CorsConfiguration as CorsConfiguration | undefined, stages, routes }];
  });
}

function authorizationOf(props: Record<string, unknown>, authorizers: ReadonlyMap<string, RouteAuthorization>): RouteAuthorization {
  const type = String(props.AuthorizationType ?? 'NONE');
  if (type === 'NONE') return { kind: 'NONE' };
  if (type === 'AWS_IAM') return { kind: 'AWS_IAM' };
  const authorizer = authorizers.get(refOf(props.AuthorizerId) ?? '');
  if (type !== 'JWT' || authorizer?.kind !== 'JWT') return authorizer?.kind === 'unsupported' ? authorizer : { kind: 'unsupported', what: `its authorization type is ${type}` };
  const scopes = Array.isArray(props.AuthorizationScopes) ? props.AuthorizationScopes.map(String) : [];
  return { ...authorizer, scopes };
}

/**
 * A string of the template as local runs name it: a literal as it is; a `Fn::Join` of literals and
 * references with each `Ref` or `Fn::GetAtt` written `{<logical ID or pseudo parameter>}`. An
 * `HttpUserPoolAuthorizer`'s issuer (`https://cognito-idp.{AWS::Region}.amazonaws.com/{PoolD3F588B8}`)
 * and audience (`{UserPoolClient...}`) are so; the local issuer signs for those very strings.
 */
export function templateString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const join = typeof value === 'object' && value !== null ? (value as { 'Fn::Join'?: unknown })['Fn::Join'] : undefined;
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = (join[1] as unknown[]).map(templateString);
    return parts.every((part) => part !== undefined) ? parts.join(join[0]) : undefined;
  }
  const [reference] = referencedIds(value, true);
  return reference === undefined ? undefined : `{${reference}}`;
}

const refOf = (value: unknown): string | undefined => {
  const ref = typeof value === 'object' && value !== null ? (value as { Ref?: unknown }).Ref : undefined;
  return typeof ref === 'string' ? ref : undefined;
};

/** The integration a route's `Target` names: `integrations/<id>`, as a literal or a `Fn::Join` around a `Ref`. */
function targetIntegration(target: unknown): string | undefined {
  if (typeof target === 'string') return /^integrations\/(.+)$/.exec(target)?.[1];
  const join = typeof target === 'object' && target !== null ? (target as { 'Fn::Join'?: unknown })['Fn::Join'] : undefined;
  if (!Array.isArray(join) || !Array.isArray(join[1])) return undefined;
  const parts = join[1] as unknown[];
  return parts[0] === 'integrations/' ? refOf(parts[1]) : undefined;
}

/** The logical IDs a value refers to through `Ref` or `Fn::GetAtt`, in order, looking inside `Fn::Join` and other functions; pseudo parameters (`AWS::Region`) too when asked. */
function referencedIds(value: unknown, withPseudoParameters = false): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => referencedIds(item, withPseudoParameters));
  if (typeof value !== 'object' || value === null) return [];
  const ref = refOf(value);
  if (ref !== undefined) return ref.startsWith('AWS::') && !withPseudoParameters ? [] : [ref];
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [getAtt[0]];
  return Object.values(value).flatMap((item) => referencedIds(item, withPseudoParameters));
}
