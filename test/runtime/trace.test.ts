import { formatTrace } from '../../lambda/local/trace';

describe('formatTrace: requests to the local HTTP APIs', () => {
  test('an invocation by an HTTP API shows the method, the path and the status it answered', () => {
    const event = { version: '2.0', rawPath: '/orders/o-1/CreateOrder', requestContext: { http: { method: 'POST' } } };
    const line = formatTrace({ kind: 'invoked', functionName: 'Shop/Orders/CommandHandler/Function', event, invocation: { ok: true, result: { statusCode: 201, body: '{}' } } });

    expect(line).toBe('▶ Orders/CommandHandler: HTTP POST /orders/o-1/CreateOrder ✔ 201');
  });

  test('a command\'s answer shows its version and events; a problem its kind and detail', () => {
    const event = { version: '2.0', rawPath: '/orders/o-1/ShipOrder', requestContext: { http: { method: 'POST' } } };
    const answered = (statusCode: number, body: unknown) => formatTrace({ kind: 'invoked', functionName: 'Shop/Orders/CommandHandler/Function', event, invocation: { ok: true, result: { statusCode, body: JSON.stringify(body) } } });

    expect(answered(200, { aggregateId: 'o-1', version: 2, events: [{ type: 'OrderShipped' }] })).toBe('▶ Orders/CommandHandler: HTTP POST /orders/o-1/ShipOrder ✔ 200 v2 [OrderShipped]');
    expect(answered(422, { type: 'urn:cdk-cqrs:problem:domain-error', detail: 'Only staff may ship an order' }))
      .toBe('▶ Orders/CommandHandler: HTTP POST /orders/o-1/ShipOrder ✖ 422 domain-error: Only staff may ship an order');
    expect(answered(500, { type: 'urn:cdk-cqrs:problem:internal-error', correlationId: 'c-1' })).toBe('▶ Orders/CommandHandler: HTTP POST /orders/o-1/ShipOrder ✖ 500 internal-error');
  });

  test('a request refused before any function ran says so, with its route', () => {
    const line = formatTrace({ kind: 'http', request: { api: 'Shop/Api', method: 'POST', path: '/orders/o-1/CreateOrder', routeKey: 'POST /orders/{id}/{command}', statusCode: 401, invoked: false } });

    expect(line).toBe('   ⇄ http: POST /orders/o-1/CreateOrder → 401 (POST /orders/{id}/{command}), nothing invoked');
  });
});
