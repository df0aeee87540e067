import { matchRoute } from '../../lambda/local/http-routes';

const routes = (...keys: string[]) => keys.map((routeKey) => ({ routeKey }));
const picked = (keys: string[], method: string, path: string) => {
  const match = matchRoute(routes(...keys), method, path);
  return match && { routeKey: match.route.routeKey, pathParameters: match.pathParameters };
};

describe('matchRoute: API Gateway\'s route selection', () => {
  test('an exact route before a {param} route, a {param} route before a {proxy+} route', () => {
    const keys = ['ANY /orders/{proxy+}', 'POST /orders/{id}/{command}', 'POST /orders/{id}/ShipOrder'];

    expect(picked(keys, 'POST', '/orders/o-1/ShipOrder')).toEqual({ routeKey: 'POST /orders/{id}/ShipOrder', pathParameters: { id: 'o-1' } });
    expect(picked(keys, 'POST', '/orders/o-1/Cancel')).toEqual({ routeKey: 'POST /orders/{id}/{command}', pathParameters: { id: 'o-1', command: 'Cancel' } });
    expect(picked(keys, 'GET', '/orders/o-1/Cancel')).toEqual({ routeKey: 'ANY /orders/{proxy+}', pathParameters: { proxy: 'o-1/Cancel' } });
  });

  test('a route of the request\'s method before ANY; $default when nothing else matches', () => {
    const keys = ['ANY /items', 'GET /items', '$default'];

    expect(picked(keys, 'GET', '/items')?.routeKey).toBe('GET /items');
    expect(picked(keys, 'DELETE', '/items')?.routeKey).toBe('ANY /items');
    expect(picked(keys, 'GET', '/elsewhere')).toEqual({ routeKey: '$default', pathParameters: {} });
    expect(picked(['GET /items'], 'GET', '/elsewhere')).toBeUndefined();
  });

  test('{proxy+} takes one segment or more, never none; a {param} never takes an empty segment', () => {
    expect(picked(['ANY /files/{proxy+}'], 'GET', '/files')).toBeUndefined();
    expect(picked(['ANY /files/{proxy+}'], 'GET', '/files/')).toBeUndefined();
    expect(picked(['GET /a/{id}'], 'GET', '/a/')).toBeUndefined();
    expect(picked(['ANY /files/{proxy+}'], 'GET', '/files/a/b%20c')?.pathParameters).toEqual({ proxy: 'a/b c' });
  });

  test('an encoded / stays inside its segment, and the parameter is decoded; a malformed escape passes as sent', () => {
    expect(picked(['GET /orders/{id}'], 'GET', '/orders/a%23b%2Fc')?.pathParameters).toEqual({ id: 'a#b/c' });
    expect(picked(['GET /orders/{id}'], 'GET', '/orders/a/b')).toBeUndefined();
    expect(picked(['GET /orders/{id}'], 'GET', '/orders/100%zz')?.pathParameters).toEqual({ id: '100%zz' });
  });
});
