import type { RouteAuthorization } from '../../lambda/local/http-api-topology';
import { LocalIssuer } from '../../lambda/local/local-issuer';
import { authorize, claimAsString, scopesOf } from '../../lambda/local/route-authorizer';

describe('JWT claims as API Gateway passes them', () => {
  test('every claim a string: numbers and booleans written out, arrays as [a b], objects as map[k:v]', () => {
    expect([claimAsString('x'), claimAsString(3), claimAsString(true), claimAsString(['a', 'b']), claimAsString({ z: 1, a: ['x'] })])
      .toEqual(['x', '3', 'true', '[a b]', 'map[a:[x] z:1]']);
  });

  test('scopes come from scope (space-separated) or scp (a list or a string)', () => {
    expect(scopesOf({ scope: 'a b' })).toEqual(['a', 'b']);
    expect(scopesOf({ scp: ['c', 'd'] })).toEqual(['c', 'd']);
    expect(scopesOf({ scp: 'e' })).toEqual(['e']);
    expect(scopesOf({})).toEqual([]);
  });
});

describe('authorize: a route\'s authorization with the local issuer', () => {
  let issuer: LocalIssuer;
  beforeAll(async () => { issuer = await LocalIssuer.create(); });
  afterAll(() => issuer?.stop());

  const jwtRoute = (identitySource = ['$request.header.Authorization'], scopes: string[] = []): RouteAuthorization => ({
    kind: 'JWT', scopes, authorizer: { path: 'Shop/Api/Jwt', issuer: 'https://issuer.example/', audience: ['api', 'web'], identitySource },
  });
  const sign = (claims: Record<string, unknown> = {}, audience: string | string[] = 'api') => issuer.sign({ sub: 'u-1', issuer: 'https://issuer.example/', audience, claims });
  const withHeader = (authorization: string) => ({ headers: { authorization }, queryStringParameters: {} });
  const statusOf = (result: Awaited<ReturnType<typeof authorize>>) => (result.ok ? 'ok' : result.response.statusCode);

  test('takes the token with or without "Bearer", and from a query string when the identity source says so', async () => {
    const token = await sign();

    expect(statusOf(await authorize(jwtRoute(), withHeader(`Bearer ${token}`), issuer, '0'))).toBe('ok');
    expect(statusOf(await authorize(jwtRoute(), withHeader(token), issuer, '0'))).toBe('ok');
    expect(statusOf(await authorize(jwtRoute(['$request.querystring.access_token']), { headers: {}, queryStringParameters: { access_token: token } }, issuer, '0'))).toBe('ok');
    expect(statusOf(await authorize(jwtRoute(), { headers: {}, queryStringParameters: {} }, issuer, '0'))).toBe(401);
  });

  test('an audience given as client_id passes; nbf or iat in the future does not', async () => {
    const later = Math.floor(Date.now() / 1000) + 600;

    expect(statusOf(await authorize(jwtRoute(), withHeader(await sign({ client_id: 'web' }, 'someone-else')), issuer, '0'))).toBe('ok');
    expect(statusOf(await authorize(jwtRoute(), withHeader(await sign({ nbf: later })), issuer, '0'))).toBe(401);
    expect(statusOf(await authorize(jwtRoute(), withHeader(await sign({ iat: later })), issuer, '0'))).toBe(401);
  });

  test('a token checked once is checked again by its times: it expires, and another issuer\'s route still refuses it', async () => {
    const token = await sign({}, 'api');
    const route = jwtRoute();
    expect(statusOf(await authorize(route, withHeader(token), issuer, '0'))).toBe('ok');
    // An hour and a second later (the clock moved, not the token), the remembered check does not let it through.
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 3_601_000);
    try {
      expect(statusOf(await authorize(route, withHeader(token), issuer, '0'))).toBe(401);
    } finally {
      clock.mockRestore();
    }
    expect(statusOf(await authorize(route, withHeader(token), issuer, '0'))).toBe('ok');
    const otherIssuer: RouteAuthorization = { kind: 'JWT', scopes: [], authorizer: { path: 'Shop/Api/Other', issuer: 'https://other.example/', audience: ['api'], identitySource: ['$request.header.Authorization'] } };
    expect(statusOf(await authorize(otherIssuer, withHeader(token), issuer, '0'))).toBe(401);
    // A token with a byte changed is another key: it is verified, and refused.
    expect(statusOf(await authorize(route, withHeader(`${token.slice(0, -2)}${token.endsWith('A') ? 'B' : 'A'}${token.slice(-1)}`), issuer, '0'))).toBe(401);
  });

  test('a route with scopes wants one of them, and passes the token\'s scopes on; claims arrive as strings', async () => {
    const denied = await authorize(jwtRoute(undefined, ['a:write', 'b:write']), withHeader(await sign({ scope: 'profile' })), issuer, '0');
    const allowed = await authorize(jwtRoute(undefined, ['a:write', 'b:write']), withHeader(await sign({ scope: 'profile b:write', n: 1 })), issuer, '0');

    expect(statusOf(denied)).toBe(403);
    expect(allowed).toMatchObject({ ok: true, authorizer: { jwt: { claims: { sub: 'u-1', n: '1', aud: 'api' }, scopes: ['profile', 'b:write'] } } });
  });
});
