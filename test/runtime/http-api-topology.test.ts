import { readHttpApis, templateString } from '../../lambda/local/http-api-topology';

type Resources = Parameters<typeof readHttpApis>[0];

const idOf = (logicalId: string) => ({ key: `Shop/${logicalId}`, logicalId, path: `Shop/${logicalId}` });
const functions = new Set(['Shop/Handler']);
const apiId = { Ref: 'Api' };
const integrationTarget = (logicalId: string) => ({ 'Fn::Join': ['', ['integrations/', { Ref: logicalId }]] });

/** An HTTP API as HttpApi, HttpLambdaIntegration and HttpJwtAuthorizer synthesize it, with `extra` resources beside. */
const apiResources = (extra: Resources = {}): Resources => ({
  Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'ShopApi', ProtocolType: 'HTTP', CorsConfiguration: { AllowOrigins: ['*'] } } },
  Stage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: apiId, StageName: '$default', AutoDeploy: true } },
  Handler: { Type: 'AWS::Lambda::Function' },
  Integration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: apiId, IntegrationType: 'AWS_PROXY', IntegrationUri: { 'Fn::GetAtt': ['Handler', 'Arn'] }, PayloadFormatVersion: '2.0' } },
  Jwt: { Type: 'AWS::ApiGatewayV2::Authorizer', Properties: { ApiId: apiId, AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://issuer.example/', Audience: ['api'] } } },
  Route: {
    Type: 'AWS::ApiGatewayV2::Route',
    Properties: { ApiId: apiId, RouteKey: 'POST /orders/{aggregateId}/{commandType}', Target: integrationTarget('Integration'), AuthorizationType: 'JWT', AuthorizerId: { Ref: 'Jwt' }, AuthorizationScopes: ['orders:write'] },
  },
  ...extra,
});

describe('readHttpApis', () => {
  test('reads an HTTP API as the L2s synthesize it: its routes, their function and JWT authorizer, its stages and CORS', () => {
    const [api] = readHttpApis(apiResources(), idOf, functions);

    expect(api).toMatchObject({ key: 'Shop/Api', name: 'ShopApi', stages: ['$default'], cors: { AllowOrigins: ['*'] } });
    expect(api.routes).toEqual([{
      ...idOf('Route'), routeKey: 'POST /orders/{aggregateId}/{commandType}', target: { kind: 'function', functionKey: 'Shop/Handler' },
      authorization: { kind: 'JWT', scopes: ['orders:write'], authorizer: { path: 'Shop/Jwt', issuer: 'https://issuer.example/', audience: ['api'], identitySource: ['$request.header.Authorization'] } },
    }]);
  });

  test('finds the function inside a Fn::Join (an alias ARN) and behind a Ref to an alias', () => {
    const resources = apiResources({
      Alias: { Type: 'AWS::Lambda::Alias', Properties: { FunctionName: { Ref: 'Handler' }, Name: 'live' } },
      Joined: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0', IntegrationUri: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Handler', 'Arn'] }, ':live']] } } },
      ByAlias: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0', IntegrationUri: { Ref: 'Alias' } } },
      JoinedRoute: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: apiId, RouteKey: 'GET /a', Target: integrationTarget('Joined') } },
      AliasRoute: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: apiId, RouteKey: 'GET /b', Target: 'integrations/ByAlias' } },
    });

    const routes = readHttpApis(resources, idOf, functions)[0].routes;

    expect(routes.filter((r) => r.routeKey !== 'POST /orders/{aggregateId}/{commandType}').map((r) => [r.routeKey, r.target, r.authorization])).toEqual([
      ['GET /a', { kind: 'function', functionKey: 'Shop/Handler' }, { kind: 'NONE' }],
      ['GET /b', { kind: 'function', functionKey: 'Shop/Handler' }, { kind: 'NONE' }],
    ]);
  });

  test('keeps a route it cannot serve, saying why: payload 1.0, an integration that is not a function, a Lambda authorizer', () => {
    const resources = apiResources({
      V1: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '1.0', IntegrationUri: { 'Fn::GetAtt': ['Handler', 'Arn'] } } },
      Proxy: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.com' } },
      Custom: { Type: 'AWS::ApiGatewayV2::Authorizer', Properties: { AuthorizerType: 'REQUEST' } },
      V1Route: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: apiId, RouteKey: 'GET /v1', Target: integrationTarget('V1') } },
      ProxyRoute: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: apiId, RouteKey: 'GET /proxy', Target: integrationTarget('Proxy') } },
      CustomRoute: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: apiId, RouteKey: 'GET /custom', Target: integrationTarget('Integration'), AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'Custom' } } },
    });

    const routes = Object.fromEntries(readHttpApis(resources, idOf, functions)[0].routes.map((r) => [r.routeKey, r]));

    expect(routes['GET /v1'].target).toEqual({ kind: 'unsupported', what: expect.stringContaining('payload format 1.0') });
    expect(routes['GET /proxy'].target).toEqual({ kind: 'unsupported', what: expect.stringContaining('HTTP_PROXY') });
    expect(routes['GET /custom'].authorization).toEqual({ kind: 'unsupported', what: expect.stringContaining('REQUEST') });
  });

  test('leaves out a WebSocket API, and fails on one defined by an OpenAPI Body', () => {
    expect(readHttpApis({ Ws: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'WEBSOCKET' } } }, idOf, functions)).toEqual([]);
    expect(() => readHttpApis({ Doc: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP', Body: {} } } }, idOf, functions)).toThrow(/OpenAPI/);
  });

  test('an issuer and audience made of references (HttpUserPoolAuthorizer) are read with each reference in braces', () => {
    const resources = apiResources({
      Jwt: {
        Type: 'AWS::ApiGatewayV2::Authorizer',
        Properties: {
          ApiId: apiId, AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'],
          JwtConfiguration: { Audience: [{ Ref: 'PoolClient' }], Issuer: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: 'Pool' }]] } },
        },
      },
    });

    expect(readHttpApis(resources, idOf, functions)[0].routes[0].authorization).toMatchObject({
      kind: 'JWT', authorizer: { issuer: 'https://cognito-idp.{AWS::Region}.amazonaws.com/{Pool}', audience: ['{PoolClient}'] },
    });
    expect(templateString({ 'Fn::Join': ['-', ['a', { 'Fn::GetAtt': ['Pool', 'Arn'] }]] })).toBe('a-{Pool}');
    expect(templateString({ 'Fn::Sub': 'x' })).toBeUndefined();
  });
});
