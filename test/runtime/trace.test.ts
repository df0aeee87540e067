import { formatTrace } from '../../lambda/local/trace';

describe('formatTrace: requests to the local HTTP APIs', () => {
  test('an invocation by an HTTP API shows the method, the path and the status it answered', () => {
    const event = { version: '2.0', rawPath: '/orders/o-1/CreateOrder', requestContext: { http: { method: 'POST' } } };
    const line = formatTrace({ kind: 'invoked', functionName: 'Shop/Orders/CommandHandler/Function', event, invocation: { ok: true, result: { statusCode: 201, body: '{}' } } });

    expect(line).toBe('▶ Orders/CommandHandler: HTTP POST /orders/o-1/CreateOrder ✔ 201');
  });

  test('a request refused before any function ran says so, with its route', () => {
    const line = formatTrace({ kind: 'http', request: { api: 'Shop/Api', method: 'POST', path: '/orders/o-1/CreateOrder', routeKey: 'POST /orders/{id}/{command}', statusCode: 401, invoked: false } });

    expect(line).toBe('   ⇄ http: POST /orders/o-1/CreateOrder → 401 (POST /orders/{id}/{command}), nothing invoked');
  });
});
