import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template, Match } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { counterStack, TWO_PROJECTIONS } from './fixtures/aggregate';
import { COUNTER_CUSTOM_ENTRY, COUNTER_QUERIES_ENTRY, LEDGER_ENTRY, actionsOf, logicalIdOf, statementsOfRole } from './fixtures/stand-in-app';
import { CqrsAggregate, CqrsHttpApi, HttpApiAuth, type CqrsHttpApiProps } from '../../lib';

const JWT = HttpApiAuth.jwt({ issuer: 'https://issuer.example', audience: ['shop-api'] });

/** A stack with the Counter aggregate (projections, queries, read-your-writes) and an API in front of it. */
function apiStack(apiProps: Partial<CqrsHttpApiProps> & { exposeProjections?: string[] } = {}) {
  const fixture = counterStack({ projections: TWO_PROJECTIONS, queries: { entry: COUNTER_QUERIES_ENTRY }, readYourWrites: {} });
  const { exposeProjections, ...rest } = apiProps;
  const api = new CqrsHttpApi(fixture.stack, 'Api', { aggregates: [{ aggregate: fixture.aggregate, exposeProjections }], ...rest });
  let template: Template | undefined;
  return {
    // Not `...fixture`: spreading would call its own template getter, and synthesize now.
    stack: fixture.stack, aggregate: fixture.aggregate, api,
    // Synthesized on first use, so a test may add to the stack before.
    get template() {
      template ??= Template.fromStack(fixture.stack);
      return template;
    },
  };
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const resourcesOf = (template: Template, type: string): Resources['x'][] =>
  Object.values(template.toJSON().Resources as Resources).filter((resource) => resource.Type === type);
const routeKeys = (template: Template): string[] => resourcesOf(template, 'AWS::ApiGatewayV2::Route').map((route) => route.Properties.RouteKey as string).sort();

describe('CqrsHttpApi routes', () => {
  test('one command route per aggregate, one projection route when projections are exposed, a GET and a POST per query', () => {
    const { template } = apiStack({ exposeProjections: ['CounterView'], auth: JWT });
    expect(routeKeys(template)).toEqual([
      'GET /counter/{aggregateId}/{projectionName}',
      'GET /queries/GetCounter',
      'POST /counter/{aggregateId}/{commandType}',
      'POST /queries/GetCounter',
    ]);
  });

  test('each route reaches its own function, in payload format 2.0, with no function in between', () => {
    const { stack, template } = apiStack({ exposeProjections: ['CounterView'], auth: JWT });
    const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration');
    const targets = integrations.map((integration) => (integration.Properties.IntegrationUri as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]).sort();
    expect(targets).toEqual([
      logicalIdOf(stack, 'Api/CounterReader/Function'),
      logicalIdOf(stack, 'Counters/CommandHandler/Function'),
      logicalIdOf(stack, 'Counters/QueryHandler/Function'),
    ].sort());
    for (const integration of integrations) expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  test('without exposed projections there is no projection route and no reader function', () => {
    const { template } = apiStack({ auth: JWT });
    expect(routeKeys(template).filter((key) => key.startsWith('GET /counter'))).toEqual([]);
    expect(resourcesOf(template, 'AWS::Lambda::Function').map((fn) => fn.Properties.Description)).not.toContainEqual(expect.stringContaining('Projection reader'));
  });

  test('the resource is the aggregateName in kebab-case, or the one given', () => {
    const { stack } = counterStack();
    const ledger = new CqrsAggregate(stack, 'Ledgers', { aggregateName: 'LedgerAccount', entry: LEDGER_ENTRY });
    new CqrsHttpApi(stack, 'Api', { aggregates: [{ aggregate: ledger }], auth: JWT });
    new CqrsHttpApi(stack, 'Api2', { aggregates: [{ aggregate: ledger, resource: 'accounts' }], auth: JWT });
    expect(routeKeys(Template.fromStack(stack))).toEqual(['POST /accounts/{aggregateId}/{commandType}', 'POST /ledger-account/{aggregateId}/{commandType}']);
  });
});

describe('CqrsHttpApi auth', () => {
  test('by default every route takes IAM (SigV4)', () => {
    const { template } = apiStack({ exposeProjections: ['CounterView'] });
    const routes = resourcesOf(template, 'AWS::ApiGatewayV2::Route');
    expect(routes.length).toBe(4);
    for (const route of routes) expect(route.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  test('a JWT authorizer with the issuer and audiences is on every route, with the scopes asked for', () => {
    const { template } = apiStack({ exposeProjections: ['CounterView'], auth: HttpApiAuth.jwt({ issuer: 'https://issuer.example', audience: ['a', 'b'], scopes: ['orders/write'] }) });
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://issuer.example', Audience: ['a', 'b'] },
    });
    const authorizerId = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0];
    for (const route of resourcesOf(template, 'AWS::ApiGatewayV2::Route')) {
      expect(route.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId }, AuthorizationScopes: ['orders/write'] });
    }
  });

  test('a Cognito user pool is a JWT authorizer of the pool\'s issuer and clients', () => {
    const { stack } = counterStack();
    const userPool = new cognito.UserPool(stack, 'Users');
    const client = userPool.addClient('Web');
    const aggregate = stack.node.findChild('Counters') as CqrsAggregate;
    new CqrsHttpApi(stack, 'Api', { aggregates: [{ aggregate }], auth: HttpApiAuth.cognito({ userPool, userPoolClients: [client] }) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT', JwtConfiguration: { Audience: [{ Ref: logicalIdOf(stack, 'Users/Web') }] } });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { AuthorizationType: 'JWT' });
  });

  test('anonymous only when asked for by name', () => {
    const { template } = apiStack({ auth: HttpApiAuth.anonymous() });
    for (const route of resourcesOf(template, 'AWS::ApiGatewayV2::Route')) expect(route.Properties.AuthorizationType).toBe('NONE');
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  test('grantInvoke gives execute-api:Invoke on this API\'s stage only, and only for an IAM API', () => {
    const { stack, api } = apiStack();
    const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    api.grantInvoke(role);
    const statements = Template.fromStack(stack).toJSON().Resources[logicalIdOf(stack, 'Caller/DefaultPolicy')].Properties.PolicyDocument.Statement;
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: expect.objectContaining({ 'Fn::Join': expect.anything() }) }]);
    expect(JSON.stringify(statements)).toContain(`/$default/*/*`);
    expect(JSON.stringify(statements)).toContain(logicalIdOf(stack, 'Api/HttpApi'));

    const jwtApi = apiStack({ auth: JWT }).api;
    expect(() => jwtApi.grantInvoke(role)).toThrow(/grantInvoke is for an API with auth: HttpApiAuth.iam\(\); this one is JWT/);
  });
});

describe('CqrsHttpApi resource budget (docs/architecture.md)', () => {
  const apiResources = (props: Partial<CqrsHttpApiProps> & { exposeProjections?: string[]; queries?: boolean }) => {
    const bare = Object.keys(counterStack({ projections: TWO_PROJECTIONS, queries: { entry: COUNTER_QUERIES_ENTRY }, readYourWrites: {} }).template.toJSON().Resources).length;
    const fixture = counterStack({ projections: TWO_PROJECTIONS, queries: { entry: COUNTER_QUERIES_ENTRY }, readYourWrites: {} });
    const { exposeProjections, queries, ...rest } = props;
    new CqrsHttpApi(fixture.stack, 'Api', { aggregates: [{ aggregate: fixture.aggregate, exposeProjections, queries }], ...rest });
    return Object.keys(Template.fromStack(fixture.stack).toJSON().Resources).length - bare;
  };

  test('commands alone: 7 with IAM, 8 with a JWT authorizer; an exposed projection and a query add 11', () => {
    expect(apiResources({ queries: false })).toBe(7);
    expect(apiResources({ queries: false, auth: JWT })).toBe(8);
    expect(apiResources({ exposeProjections: ['CounterView'], auth: JWT })).toBe(19);
  });
});

describe('CqrsHttpApi stage', () => {
  test('throttles at 100 requests per second (burst 200) unless told, and writes JSON access logs kept a year', () => {
    const { template } = apiStack({ auth: JWT });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default', AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    const stage = resourcesOf(template, 'AWS::ApiGatewayV2::Stage')[0].Properties as { AccessLogSettings: { Format: string } };
    expect(Object.keys(JSON.parse(stage.AccessLogSettings.Format) as object)).toEqual(expect.arrayContaining(['requestId', 'routeKey', 'status', 'subject', 'integrationError']));
  });

  test('takes throttling, CORS and log retention as props', () => {
    const { template } = apiStack({
      auth: JWT, throttlingRateLimit: 5, throttlingBurstLimit: 10, accessLogRetention: logs.RetentionDays.ONE_WEEK,
      corsPreflight: { allowOrigins: ['https://shop.example'], allowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: { AllowOrigins: ['https://shop.example'], ExposeHeaders: ['etag', 'x-correlation-id'] } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });

  test('CORS lets a page send the API\'s headers and read the ETag unless told otherwise', () => {
    const { template } = apiStack({ auth: JWT, corsPreflight: { allowOrigins: ['https://shop.example'], exposeHeaders: ['x-mine'] } });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://shop.example'], AllowMethods: ['GET', 'POST', 'OPTIONS'], ExposeHeaders: ['x-mine', 'etag', 'x-correlation-id'],
        AllowHeaders: ['authorization', 'content-type', 'if-match', 'if-none-match', 'idempotency-key', 'x-correlation-id'],
      },
    });
    // Without corsPreflight, no CORS at all: browsers call it from its own origin only.
    const [withoutCors] = Object.values(apiStack({ auth: JWT }).template.findResources('AWS::ApiGatewayV2::Api')) as { Properties: Record<string, unknown> }[];
    expect(withoutCors.Properties.CorsConfiguration).toBeUndefined();
  });

  test('alarms on any 5xx the API answers', () => {
    const { api, template } = apiStack({ auth: JWT });
    expect(api.alarms).toHaveLength(1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5xx', Namespace: 'AWS/ApiGateway', Threshold: 1, Statistic: 'Sum' });
  });
});

describe('CqrsHttpApi least privilege', () => {
  test('API Gateway may invoke each function only through this API', () => {
    const { stack, template } = apiStack({ exposeProjections: ['CounterView'], auth: JWT });
    const permissions = resourcesOf(template, 'AWS::Lambda::Permission').filter((permission) => permission.Properties.Principal === 'apigateway.amazonaws.com');
    expect(permissions.length).toBeGreaterThanOrEqual(4);
    for (const permission of permissions) {
      expect(permission.Properties.Action).toBe('lambda:InvokeFunction');
      expect(JSON.stringify(permission.Properties.SourceArn)).toContain(logicalIdOf(stack, 'Api/HttpApi'));
    }
  });

  test('the projection reader may get items of the read model, query the session table and the events, and write its logs: nothing else', () => {
    const { stack } = apiStack({ exposeProjections: ['CounterView'], auth: JWT });
    const statements = statementsOfRole(stack, 'Api/CounterReader/Role');
    expect([...new Set(actionsOf(statements))].sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(JSON.stringify(statements)).not.toContain('"*"');
    const getItem = statements.find((statement) => actionsOf([statement]).includes('dynamodb:GetItem'))!;
    expect(getItem.Resource).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/ReadModel/Table'), 'Arn'] });
  });

  test('cdk-nag AwsSolutions reports nothing for an API with JWT or IAM auth', () => {
    for (const auth of [JWT, HttpApiAuth.iam()]) {
      const { stack } = apiStack({ exposeProjections: ['CounterView'], auth });
      const report = new AwsSolutionsChecks(stack).validateScope(stack.node.root);
      expect(report.violations.map((violation) => `${violation.ruleName} ${violation.violatingResources.map((resource) => resource.constructPath).join(',')}`)).toEqual([]);
    }
  });

  test('cdk-nag reports each anonymous route (APIG4), for the owner to acknowledge knowingly', () => {
    const { stack } = apiStack({ auth: HttpApiAuth.anonymous() });
    const report = new AwsSolutionsChecks(stack).validateScope(stack.node.root);
    expect([...new Set(report.violations.map((violation) => violation.ruleName))]).toEqual(['AwsSolutions-APIG4']);
  });
});

describe('CqrsHttpApi OpenAPI', () => {
  test('documents each command with its payload\'s JSON Schema where the schema gives one, and writes it to the cloud assembly', () => {
    const { app, stack } = (() => { const fixture = counterStack(); return { app: fixture.stack.node.root as import('aws-cdk-lib').App, stack: fixture.stack }; })();
    const ledger = new CqrsAggregate(stack, 'Ledgers', { aggregateName: 'Ledger', entry: LEDGER_ENTRY });
    const api = new CqrsHttpApi(stack, 'Api', { aggregates: [{ aggregate: ledger }], auth: JWT });
    const document = JSON.parse(api.openApiDocument) as { openapi: string; paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: unknown }> } }>>; components: { securitySchemes: unknown } };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual(['/ledger/{aggregateId}/Close', '/ledger/{aggregateId}/Deposit', '/ledger/{aggregateId}/Withdraw']);
    const bodyOf = (command: string) => document.paths[`/ledger/{aggregateId}/${command}`].post.requestBody.content['application/json'].schema;
    expect(bodyOf('Deposit')).toMatchObject({ type: 'object', properties: { amount: { type: 'integer', exclusiveMinimum: 0 } }, required: ['amount'] });
    expect(bodyOf('Withdraw')).toEqual({ type: 'object' });
    expect(bodyOf('Close')).toEqual({ type: 'object' });
    expect(document.components.securitySchemes).toEqual({ jwt: { type: 'openIdConnect', openIdConnectUrl: 'https://issuer.example/.well-known/openid-configuration' } });

    const assembly = app.synth();
    expect(JSON.parse(fs.readFileSync(path.join(assembly.directory, api.openApiFileName), 'utf8'))).toEqual(document);
  });

  test('documents each exposed projection and each query', () => {
    const { api } = apiStack({ exposeProjections: ['CounterView'], auth: JWT });
    const document = JSON.parse(api.openApiDocument) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(document.paths).sort()).toEqual(['/counter/{aggregateId}/CounterView', '/counter/{aggregateId}/Increment', '/queries/GetCounter']);
    expect(Object.keys(document.paths['/queries/GetCounter']).sort()).toEqual(['get', 'post']);
  });
});

describe('CqrsHttpApi refuses what cannot work, before creating anything', () => {
  const cases: [string, (fixture: ReturnType<typeof counterStack>) => Partial<CqrsHttpApiProps>, RegExp][] = [
    ['no aggregates', () => ({ aggregates: [] }), /aggregates is empty/],
    ['a resource that is not a path segment', ({ aggregate }) => ({ aggregates: [{ aggregate, resource: 'Orders/x' }] }), /resource 'Orders\/x' of Counter must be lower-case/],
    ['the queries segment', ({ aggregate }) => ({ aggregates: [{ aggregate, resource: 'queries' }] }), /not 'queries'/],
    ['an unknown projection', ({ aggregate }) => ({ aggregates: [{ aggregate, exposeProjections: ['__proto__'] }] }), /names '__proto__', which is not one of its projections \('CounterView', 'CounterTotals'\)/],
    ['queries on an aggregate without', ({ stack }) => ({ aggregates: [{ aggregate: new CqrsAggregate(stack, 'Plain', { aggregateName: 'Plain', entry: LEDGER_ENTRY }), queries: true }] }), /queries: true for Plain, which has no queries/],
    ['the same resource twice', ({ aggregate }) => ({ aggregates: [{ aggregate }, { aggregate }] }), /Counter and Counter both have the resource 'counter'/],
    ['an aggregate that exposes nothing', ({ aggregate }) => ({ aggregates: [{ aggregate, commands: false, queries: false }] }), /exposes nothing/],
    ['a construct that is not an aggregate', ({ stack }) => ({ aggregates: [{ aggregate: new Construct(stack, 'NotAnAggregate') as CqrsAggregate }] }), /Stack\/NotAnAggregate is not a CqrsAggregate/],
    ['a throttling rate of 0', ({ aggregate }) => ({ aggregates: [{ aggregate }], throttlingRateLimit: 0 }), /throttlingRateLimit must be a number above 0/],
  ];
  test.each(cases)('%s', (_name, propsOf, message) => {
    const fixture = counterStack({ projections: TWO_PROJECTIONS, queries: { entry: COUNTER_QUERIES_ENTRY } });
    const props = { auth: JWT, aggregates: [], ...propsOf(fixture) } as CqrsHttpApiProps;
    expect(() => new CqrsHttpApi(fixture.stack, 'Api', props)).toThrow(message);
    expect(fixture.stack.node.tryFindChild('Api')?.node.children.length ?? 0).toBe(0);
  });

  test('a projection that does not say who may read its documents (readableBy) cannot be exposed', () => {
    const fixture = counterStack({ projections: TWO_PROJECTIONS });
    expect(() => new CqrsHttpApi(fixture.stack, 'Api', { aggregates: [{ aggregate: fixture.aggregate, exposeProjections: ['CounterTotals'] }], auth: JWT }))
      .toThrow(/names 'CounterTotals', which does not say who may read its documents\. Add readableBy/);
  });

  test('a custom projection cannot be exposed: it has no document per aggregate', () => {
    const fixture = counterStack({ projections: [{ projectionName: 'Custom', entry: COUNTER_CUSTOM_ENTRY }] });
    expect(() => new CqrsHttpApi(fixture.stack, 'Api', { aggregates: [{ aggregate: fixture.aggregate, exposeProjections: ['Custom'] }], auth: JWT }))
      .toThrow(/'Custom', a custom projection/);
  });

  test('two aggregates with a query of the same name (here one aggregate under two resources)', () => {
    const { stack, aggregate } = counterStack({ projections: TWO_PROJECTIONS, queries: { entry: COUNTER_QUERIES_ENTRY } });
    expect(() => new CqrsHttpApi(stack, 'Api', { aggregates: [{ aggregate }, { aggregate, resource: 'again' }], auth: JWT })).toThrow(/Counter and Counter both have a query 'GetCounter'/);
  });
});
