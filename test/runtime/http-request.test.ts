import fc from 'fast-check';
import { ValidationError } from 'cdk-cqrs/runtime';
import { Forbidden } from '../../lambda/http/problem';
import { MAX_BODY_BYTES, callerOf, commandFromHttp, queryFromHttp, scopedToCaller, type Caller, type HttpApiEvent } from '../../lambda/http/http-request';

const ann: Caller = { subject: 'user-ann', claims: { sub: 'user-ann' } };
const request = (overrides: Partial<HttpApiEvent> = {}): HttpApiEvent => ({
  pathParameters: { aggregateId: 'c-1', commandType: 'RegisterCustomer' },
  headers: {},
  body: '{"email":"ann@example.com"}',
  requestContext: { requestId: 'req-1' },
  ...overrides,
});
/** The ValidationError of a command from `event`, sent by `caller` (`null`: anonymous). */
const rejected = (event: HttpApiEvent, caller: Caller | null = ann): ValidationError => {
  try {
    commandFromHttp(event, caller ?? undefined);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('a command from an HTTP request', () => {
  test('takes the path, the body as payload, the correlation id, and scopes the session to the caller', () => {
    expect(commandFromHttp(request({ headers: { 'x-correlation-id': 'corr-9' } }), ann)).toEqual({
      type: 'RegisterCustomer', aggregateId: 'c-1', payload: { email: 'ann@example.com' },
      sessionId: scopedToCaller(ann, ''), caller: ann, metadata: { correlationId: 'corr-9' },
    });
    expect(commandFromHttp(request(), undefined)).toEqual({ type: 'RegisterCustomer', aggregateId: 'c-1', payload: { email: 'ann@example.com' }, metadata: { correlationId: 'req-1' } });
  });

  test('If-Match "<n>" is expectedVersion n, for every version; If-None-Match * is 0', () => {
    fc.assert(fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (version) => {
      expect(commandFromHttp(request({ headers: { 'if-match': `"${version}"` } }), ann).expectedVersion).toBe(version);
    }));
    expect(commandFromHttp(request({ headers: { 'if-none-match': '*' } }), ann).expectedVersion).toBe(0);
  });

  test('any other conditional header is a ValidationError naming the header', () => {
    fc.assert(fc.property(fc.string(), (tag) => {
      fc.pre(!/^"(0|[1-9][0-9]{0,15})"$/.test(tag.trim()) && tag.trim() !== '');
      expect(rejected(request({ headers: { 'if-match': tag } })).issues[0].path).toEqual(['If-Match']);
    }));
    for (const tag of ['W/"3"', '"3", "4"', '*', '"03"', '"-1"', '"1e3"', `"${2 ** 53}"`]) expect(rejected(request({ headers: { 'if-match': tag } })).message).toMatch(/If-Match/);
    expect(rejected(request({ headers: { 'if-none-match': '"3"' } })).message).toMatch(/If-None-Match takes only \*/);
    expect(rejected(request({ headers: { 'if-match': '"3"', 'if-none-match': '*' } })).message).toMatch(/not both/);
  });

  test('an Idempotency-Key is the commandId, scoped to the caller; without a caller it is refused', () => {
    expect(commandFromHttp(request({ headers: { 'idempotency-key': 'k-1' } }), ann).commandId).toBe(scopedToCaller(ann, 'k-1'));
    expect(rejected(request({ headers: { 'idempotency-key': 'k-1' } }), null).message).toMatch(/needs an authenticated caller/);
  });

  test('two callers never share a scoped key, whatever their subjects and keys hold', () => {
    const caller = fc.string({ minLength: 1 }).map((subject): Caller => ({ subject, claims: {} }));
    fc.assert(fc.property(caller, fc.string(), caller, fc.string(), (a, keyA, b, keyB) => {
      fc.pre(a.subject !== b.subject || keyA !== keyB);
      expect(scopedToCaller(a, keyA)).not.toBe(scopedToCaller(b, keyB));
    }));
    // A separator in the subject does not help: "a:" + "b" and "a" + ":b" differ.
    expect(scopedToCaller({ subject: 'a:', claims: {} }, 'b')).not.toBe(scopedToCaller({ subject: 'a', claims: {} }, ':b'));
  });

  test('a body that is not a JSON object, not UTF-8, or too large is a ValidationError', () => {
    expect(rejected(request({ body: '{"email":' })).message).toMatch(/not JSON/);
    expect(rejected(request({ body: '[1]' })).message).toMatch(/JSON object/);
    expect(rejected(request({ body: 'null' })).message).toMatch(/JSON object/);
    expect(rejected(request({ body: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), isBase64Encoded: true })).message).toMatch(/UTF-8/);
    expect(rejected(request({ body: `{"a":"${'x'.repeat(MAX_BODY_BYTES)}"}` })).message).toMatch(/at most 262144/);
    expect(commandFromHttp(request({ body: Buffer.from('{"n":1}').toString('base64'), isBase64Encoded: true }), ann).payload).toEqual({ n: 1 });
    expect(commandFromHttp(request({ body: undefined }), ann).payload).toEqual({});
  });

  test('a path without its parameters is a ValidationError', () => {
    expect(rejected(request({ pathParameters: { commandType: 'RegisterCustomer' } })).message).toMatch(/no aggregateId/);
  });
});

describe('the caller', () => {
  test('is the JWT subject with its claims, or the IAM caller, or nobody', () => {
    expect(callerOf({ requestContext: { requestId: 'r', authorizer: { jwt: { claims: { sub: 'u-1', email: 'a@b.example' } } } } }))
      .toEqual({ subject: 'u-1', claims: { sub: 'u-1', email: 'a@b.example' } });
    expect(callerOf({ requestContext: { requestId: 'r', authorizer: { iam: { userArn: 'arn:aws:iam::111111111111:user/ann' } } } }))
      .toEqual({ subject: 'arn:aws:iam::111111111111:user/ann', claims: {} });
    expect(callerOf({ requestContext: { requestId: 'r' } })).toBeUndefined();
    // Authenticated without a subject is not anonymous: it is refused.
    expect(() => callerOf({ requestContext: { requestId: 'r', authorizer: { jwt: { claims: { sub: '' } } } } })).toThrow(Forbidden);
    expect(() => callerOf({ requestContext: { requestId: 'r', authorizer: { jwt: { claims: { client_id: 'app-1' } } } } })).toThrow(/names no subject/);
    expect(() => callerOf({ requestContext: { requestId: 'r', authorizer: { iam: {} } } })).toThrow(Forbidden);
  });

  test('two users of a Cognito identity pool are two callers over IAM: their credentials share one role session ARN, not one identity', () => {
    // Every user of an identity pool signs with credentials of the pool's role, all in the session
    // CognitoIdentityCredentials: the userArn is the same; only cognitoIdentity.identityId tells them apart.
    const federated = (identityId: string): HttpApiEvent => ({ requestContext: { requestId: 'r', authorizer: { iam: {
      userArn: 'arn:aws:sts::111111111111:assumed-role/Cognito_ShopAuth_Role/CognitoIdentityCredentials', userId: 'AROAEXAMPLE:CognitoIdentityCredentials',
      cognitoIdentity: { amr: ['authenticated', 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool'], identityId, identityPoolId: 'eu-west-1:pool-1' },
    } as never } } });
    const first = callerOf(federated('eu-west-1:ann'))!;
    const second = callerOf(federated('eu-west-1:bob'))!;
    expect(first.subject).not.toBe(second.subject);
    expect(scopedToCaller(first, 'k-1')).not.toBe(scopedToCaller(second, 'k-1'));
  });

  test('a sub is unique only within its issuer: the same sub from two issuers (two APIs over one aggregate) is two callers', () => {
    // OpenID Connect: sub is "locally unique and never reassigned within the Issuer"; the pair (iss, sub) names a user.
    const fromIssuer = (iss: string) => callerOf({ requestContext: { requestId: 'r', authorizer: { jwt: { claims: { iss, sub: '1001' } } } } })!;
    const staff = fromIssuer('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Staff');
    const partner = fromIssuer('https://login.partner.example');
    expect(scopedToCaller(staff, 'k-1')).not.toBe(scopedToCaller(partner, 'k-1'));
  });

  test('a request a Lambda authorizer let through (a route added to api.httpApi) is not anonymous: it names no subject the runtime can read, so it is refused', () => {
    // Taken as anonymous it would pass every rule written "when a caller is known, it must be ...".
    const event = { requestContext: { requestId: 'r', authorizer: { lambda: { userId: 'u-1', tenant: 'acme' } } } } as unknown as HttpApiEvent;
    expect(() => callerOf(event)).toThrow(Forbidden);
  });
});

describe('a query from an HTTP request', () => {
  const queryEvent = (method: string, overrides: Partial<HttpApiEvent> = {}) => ({
    pathParameters: { queryType: 'ListOrdersByCustomer' }, requestContext: { requestId: 'r', http: { method } }, ...overrides,
  });

  test('GET takes the query string as params, POST a JSON object body; the caller goes along', () => {
    expect(queryFromHttp(queryEvent('GET', { queryStringParameters: { customerId: 'c-1', status: 'PENDING' } }), ann))
      .toEqual({ type: 'ListOrdersByCustomer', params: { customerId: 'c-1', status: 'PENDING' }, caller: ann });
    expect(queryFromHttp(queryEvent('POST', { body: '{"customerId":"c-1","limit":5}' }), undefined))
      .toEqual({ type: 'ListOrdersByCustomer', params: { customerId: 'c-1', limit: 5 } });
    expect(queryFromHttp(queryEvent('GET'), undefined)).toEqual({ type: 'ListOrdersByCustomer', params: {} });
  });

  test('on a route of its own (CqrsHttpApi makes one per query type) the query type is the route\'s last segment', () => {
    const onRoute = (routeKey: string) => ({ routeKey, requestContext: { requestId: 'r', http: { method: 'GET' } } });
    expect(queryFromHttp(onRoute('GET /queries/ListOrdersByCustomer'), undefined)).toEqual({ type: 'ListOrdersByCustomer', params: {} });
    expect(queryFromHttp(onRoute('POST /queries/__proto__'), undefined)).toEqual({ type: '__proto__', params: {} });
    // A route that names no query (a catch-all, or a parameter the function does not know) is refused, not guessed.
    expect(() => queryFromHttp(onRoute('$default'), undefined)).toThrow(/names no query/);
    expect(() => queryFromHttp(onRoute('GET /queries/{name}'), undefined)).toThrow(/names no query/);
    expect(() => queryFromHttp(onRoute('GET /queries/'), undefined)).toThrow(/names no query/);
  });

  test('a POST body that is not a JSON object is a ValidationError', () => {
    expect(() => queryFromHttp(queryEvent('POST', { body: '[]' }), ann)).toThrow(/must be a JSON object/);
    expect(() => queryFromHttp(queryEvent('POST', { body: '{' }), ann)).toThrow(/not JSON/);
  });
});
