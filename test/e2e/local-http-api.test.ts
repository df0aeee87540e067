import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LocalApp, type TokenRequest } from 'cdk-cqrs/testing';
import { ALLOWED_ORIGIN, AUDIENCE, ISSUER, SHIP_SCOPE, httpApiApp } from './fixtures/http-api-app';

/**
 * The app's HTTP API served by the local runtime on loopback, over real HTTP (fetch): API Gateway's
 * routes, JWT authorizer (real signatures, jose), payload 2.0 events, and its own answers, in
 * front of the synthesized Order aggregate on DynamoDB Local.
 */
let local: LocalApp;
const traced: string[] = [];

beforeAll(async () => {
  local = await LocalApp.start({ app: httpApiApp, dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT, trace: (line) => traced.push(line) });
}, 120_000);
afterAll(() => local?.stop());

const url = (path: string) => `${local.httpUrl('ShopApi')}${path}`;
const bearer = async (sub: string, more: Partial<TokenRequest> = {}) => ({ authorization: `Bearer ${await local.tokenFor({ sub, ...more })}` });
const createOrder = (customerId: string) => JSON.stringify({ customerId, items: [{ sku: 'tea', quantity: 2, unitPrice: 450 }], total: 900 });

interface EchoedEvent {
  readonly routeKey: string;
  readonly pathParameters?: Record<string, string>;
  readonly requestContext: { readonly authorizer?: { readonly jwt?: unknown; readonly iam?: unknown } };
}
const echoed = async (response: Response) => (await response.json()) as EchoedEvent;

/** The events stored for an order, straight from the event store. */
async function storedEvents(orderId: string): Promise<unknown[]> {
  const answer = await local.cloud.documents().send(new QueryCommand({
    TableName: local.cloud.eventStoreTableName('Order'), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': orderId },
  })) as { Items?: unknown[] };
  return answer.Items ?? [];
}

/** Runs `request` and returns the trace lines it added. */
async function tracedDuring(request: () => Promise<unknown>): Promise<string[]> {
  const from = traced.length;
  await request();
  return traced.slice(from);
}

/** A request with each header line as given (fetch joins a repeated header into one line; API Gateway gets them apart). */
function rawRequest(path: string, headers: http.OutgoingHttpHeaders): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url(path), { method: 'GET', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** A JWT signed by a key the local issuer does not have (as a token from another provider is). */
function foreignToken(claims: Record<string, unknown>): string {
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${part({ alg: 'ES256', typ: 'JWT', kid: 'cdk-cqrs-local' })}.${part(claims)}`;
  return `${signed}.${crypto.sign('sha256', Buffer.from(signed), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

describe('a command over the local HTTP API', () => {
  test('a POST with a token creates the order: 201, ETag "1", and the event stored', async () => {
    const response = await fetch(url('/orders/o-http-1/CreateOrder'), {
      method: 'POST', headers: { ...(await bearer('c-http')), 'content-type': 'application/json' }, body: createOrder('c-http'),
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.headers.get('apigw-requestid')).toMatch(/^.{15}=$/);
    expect(await response.json()).toMatchObject({ version: 1, events: [{ type: 'OrderCreated' }] });
    expect(await storedEvents('o-http-1')).toHaveLength(1);
  });

  test('without a token: 401 {"message":"Unauthorized"}, no function runs and nothing is stored', async () => {
    let response!: Response;
    const lines = await tracedDuring(async () => {
      response = await fetch(url('/orders/o-http-anon/CreateOrder'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: createOrder('c-anon') });
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(lines).toEqual([expect.stringMatching(/http: POST \/orders\/o-http-anon\/CreateOrder → 401 .*nothing invoked/)]);
    expect(await storedEvents('o-http-anon')).toEqual([]);
  });

  test.each([
    ['for another audience', () => local.tokenFor({ sub: 'c-x', audience: 'another-api' })],
    ['from another issuer', () => local.tokenFor({ sub: 'c-x', issuer: 'https://evil.example/', audience: AUDIENCE })],
    ['that has expired', () => local.tokenFor({ sub: 'c-x', expiresIn: -60 })],
    ['whose claims were changed after signing', async () => {
      const [header, , signature] = (await local.tokenFor({ sub: 'c-x' })).split('.');
      const forged = Buffer.from(JSON.stringify({ sub: 'c-admin', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
      return `${header}.${forged}.${signature}`;
    }],
    ['signed by a key that is not the issuer\'s', async () => foreignToken({ sub: 'c-x', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })],
    ['that is no JWT', async () => 'not-a-token'],
  ])('a token %s: 401, nothing stored', async (_what, token) => {
    const response = await fetch(url('/orders/o-http-bad/CreateOrder'), {
      method: 'POST', headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' }, body: createOrder('c-x'),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(await storedEvents('o-http-bad')).toEqual([]);
  });

  test('an aggregate id with # and an encoded / arrives decoded, as one path parameter', async () => {
    const response = await fetch(url(`/orders/${encodeURIComponent('o#1/b')}/CreateOrder`), {
      method: 'POST', headers: { ...(await bearer('c-enc')), 'content-type': 'application/json' }, body: createOrder('c-enc'),
    });

    expect(response.status).toBe(201);
    expect(await storedEvents('o#1/b')).toHaveLength(1);
  });
});

describe('queries over the local HTTP API', () => {
  beforeAll(async () => {
    for (const id of ['o-q-1', 'o-q-2']) {
      const created = await fetch(url(`/orders/${id}/CreateOrder`), { method: 'POST', headers: { ...(await bearer('c-q')), 'content-type': 'application/json' }, body: createOrder('c-q') });
      expect(created.status).toBe(201);
    }
    await local.settle();
  });

  test('GET with a query string, as the caller the token names', async () => {
    const response = await fetch(url('/queries/ListOrdersByCustomer?customerId=c-q&status=PENDING'), { headers: await bearer('c-q') });

    expect(response.status).toBe(200);
    expect(((await response.json()) as { orders: { orderId: string }[] }).orders.map((o) => o.orderId).sort()).toEqual(['o-q-1', 'o-q-2']);
  });

  test('POST with the parameters as a JSON body; another customer is refused by the query itself (422)', async () => {
    const body = JSON.stringify({ customerId: 'c-q', status: 'PENDING' });
    const own = await fetch(url('/queries/ListOrdersByCustomer'), { method: 'POST', headers: { ...(await bearer('c-q')), 'content-type': 'application/json' }, body });
    const other = await fetch(url('/queries/ListOrdersByCustomer'), { method: 'POST', headers: { ...(await bearer('c-other')), 'content-type': 'application/json' }, body });

    expect(own.status).toBe(200);
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
  });

  test('an anonymous route answers without a token', async () => {
    const response = await fetch(url('/public/queries/GetOrder?orderId=o-q-1'));

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ customerId: 'c-q', status: 'PENDING' });
  });
});

describe('the payload 2.0 event and API Gateway\'s answers', () => {
  test('a repeated header arrives joined by commas, names in lower case, with the query string and cookies', async () => {
    const response = await rawRequest('/echo/a/b?tag=1&tag=2&q=x%20y', { 'X-Tag': ['one', 'two'], Cookie: 'a=1; b=2' });

    expect(response.status).toBe(200);
    const event = JSON.parse(response.body);
    expect(event).toMatchObject({
      version: '2.0', routeKey: 'ANY /echo/{proxy+}', rawPath: '/echo/a/b', rawQueryString: 'tag=1&tag=2&q=x%20y',
      cookies: ['a=1', 'b=2'], queryStringParameters: { tag: '1,2', q: 'x y' }, pathParameters: { proxy: 'a/b' }, isBase64Encoded: false,
      requestContext: { accountId: '000000000000', stage: '$default', routeKey: 'ANY /echo/{proxy+}', http: { method: 'GET', path: '/echo/a/b', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' } },
    });
    expect(event.headers['x-tag']).toBe('one,two');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.authorizer).toBeUndefined();
  });

  test('a path parameter is URL-decoded (# and %2F), and a JWT route passes the claims as strings', async () => {
    const response = await fetch(url(`/echo/${encodeURIComponent('a#b/c')}`), { headers: await bearer('c-echo', { claims: { scope: 'x y', groups: ['admins', 'ops'], level: 3 } }) });

    expect(response.status).toBe(200);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['first=1; Path=/', 'second=2; Path=/']);
    const event = await echoed(response);
    expect(event.routeKey).toBe('ANY /echo/{id}');
    expect(event.pathParameters).toEqual({ id: 'a#b/c' });
    expect(event.requestContext.authorizer?.jwt).toEqual({
      claims: expect.objectContaining({ sub: 'c-echo', iss: ISSUER, aud: AUDIENCE, scope: 'x y', groups: '[admins ops]', level: '3', exp: expect.stringMatching(/^\d+$/) }),
      scopes: ['x', 'y'],
    });
  });

  test('a body that is not text arrives base64-encoded', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const response = await fetch(url('/echo/bin/x'), { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });

    const event = await response.json();
    expect(event).toMatchObject({ isBase64Encoded: true, body: bytes.toString('base64') });
  });

  test('an IAM route takes a local token as its signature (userArn = sub); without one, 403', async () => {
    const signed = await fetch(url('/admin/tools'), { headers: await bearer('arn:aws:iam::000000000000:user/ops') });
    const unsigned = await fetch(url('/admin/tools'));

    expect(signed.status).toBe(200);
    expect((await echoed(signed)).requestContext.authorizer?.iam).toMatchObject({ userArn: 'arn:aws:iam::000000000000:user/ops' });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({ message: 'Forbidden' });
  });

  test('a literal segment wins over {proxy+}, and its route wants its scope: 403 without it, 200 with it', async () => {
    const ship = async (claims: Record<string, unknown>) => fetch(url('/echo/ship/o-1'), { method: 'POST', headers: await bearer('c-ship', { claims }) });

    const unscoped = await ship({});
    const scoped = await ship({ scp: ['profile', SHIP_SCOPE] });

    expect(unscoped.status).toBe(403);
    expect(await unscoped.json()).toEqual({ message: 'Forbidden' });
    expect(scoped.status).toBe(200);
    const event = await echoed(scoped);
    expect(event.routeKey).toBe('POST /echo/ship/{id}');
    expect(event.requestContext.authorizer?.jwt).toMatchObject({ scopes: ['profile', SHIP_SCOPE] });
  });

  test('no route: 404 {"message":"Not Found"}', async () => {
    const response = await fetch(url('/nowhere'), { headers: await bearer('c-x') });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });

  test('a body over 10 MB: 413, nothing invoked', async () => {
    let response!: Response;
    const lines = await tracedDuring(async () => {
      response = await fetch(url('/echo/big/x'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: Buffer.alloc(10 * 1024 * 1024 + 1, 'a') });
    });

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(lines.some((line) => line.startsWith('▶'))).toBe(false);
  });

  test('a function that throws: 500 {"message":"Internal Server Error"}', async () => {
    const response = await fetch(url('/echo/any/fault'));

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  test('a result whose headers cannot be sent: 500, as API Gateway answers a result it cannot use', async () => {
    const response = await fetch(url('/echo/any/bad-header'));

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  test('a CORS preflight is answered from the API\'s CorsConfiguration, and answers carry the allowed origin', async () => {
    const preflight = await fetch(url('/orders/o-1/CreateOrder'), { method: 'OPTIONS', headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST' } });
    const answer = await fetch(url('/public/queries/GetOrder?orderId=none'), { headers: { origin: ALLOWED_ORIGIN } });

    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(answer.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
  });
});

describe('an app with two HTTP APIs', () => {
  test('httpUrl needs the API\'s name, and says which there are', () => {
    expect(() => local.httpUrl()).toThrow(/2 HTTP APIs match no name given; name one\. The app's HTTP APIs: ShopApi .*, BackOffice /);
    expect(local.httpUrl('BackOffice')).not.toBe(local.httpUrl('ShopApi'));
  });

  test('a named stage is served under its name, with the stage in the event; the root is no stage of this API', async () => {
    const staged = await fetch(`${local.httpUrl('BackOffice')}/v1/echo/a`);
    const unstaged = await fetch(`${local.httpUrl('BackOffice')}/echo/a`);

    expect(staged.status).toBe(200);
    expect(await staged.json()).toMatchObject({ routeKey: 'ANY /echo/{proxy+}', rawPath: '/v1/echo/a', pathParameters: { proxy: 'a' }, requestContext: { stage: 'v1' } });
    expect(unstaged.status).toBe(404);
  });

  test('a route to something local runs do not serve answers 501, naming it', async () => {
    const response = await fetch(`${local.httpUrl('BackOffice')}/v1/elsewhere`);

    expect(response.status).toBe(501);
    expect(((await response.json()) as { message: string }).message).toMatch(/^cdk-cqrs local: GET \/elsewhere is not served locally: its integration .* \(HTTP_PROXY\) is not a Lambda function of this app\.$/);
  });
});
