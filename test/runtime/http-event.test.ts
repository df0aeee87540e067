import { answerOf, isTextContentType, joinedHeaders, payloadV2Event } from '../../lambda/local/http-event';

const request = (overrides: Partial<Parameters<typeof payloadV2Event>[0]> = {}): Parameters<typeof payloadV2Event>[0] => ({
  method: 'POST', url: '/orders/a%23b/Create?x=1&x=2&y=%C3%A9', rawHeaders: ['Host', '127.0.0.1:9', 'X-Tag', 'a', 'x-tag', 'b', 'Cookie', 'c=1; d=2'],
  body: Buffer.from('{"n":1}'), sourceIp: '::ffff:127.0.0.1', httpVersion: '1.1', ...overrides,
});
const context = { accountId: '000000000000', apiId: 'abc', stage: '$default', routeKey: 'POST /orders/{id}/Create', pathParameters: { id: 'a#b' } };

describe('payloadV2Event', () => {
  test('builds the event API Gateway gives a function for payload format 2.0', () => {
    const event = payloadV2Event(request({ rawHeaders: [...request().rawHeaders, 'Content-Type', 'application/json'] }), context, 'req-1', new Date(Date.UTC(2026, 11, 2, 9, 5, 7)));

    expect(event).toEqual({
      version: '2.0', routeKey: 'POST /orders/{id}/Create', rawPath: '/orders/a#b/Create', rawQueryString: 'x=1&x=2&y=%C3%A9',
      cookies: ['c=1', 'd=2'],
      headers: { 'host': '127.0.0.1:9', 'x-tag': 'a,b', 'content-type': 'application/json' },
      queryStringParameters: { x: '1,2', y: 'é' },
      requestContext: {
        accountId: '000000000000', apiId: 'abc', domainName: '127.0.0.1:9', domainPrefix: '127',
        http: { method: 'POST', path: '/orders/a#b/Create', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: '' },
        requestId: 'req-1', routeKey: 'POST /orders/{id}/Create', stage: '$default', time: '02/Dec/2026:09:05:07 +0000', timeEpoch: Date.UTC(2026, 11, 2, 9, 5, 7),
      },
      pathParameters: { id: 'a#b' }, body: '{"n":1}', isBase64Encoded: false,
    });
  });

  test('leaves out what the request has none of, and base64-encodes a body that is not text', () => {
    const event = payloadV2Event(request({ url: '/x', rawHeaders: [], body: Buffer.from([0xff, 0]) }), { ...context, pathParameters: {} }, 'req-2');

    expect(event).not.toHaveProperty('cookies');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).toMatchObject({ body: '/wA=', isBase64Encoded: true });
  });

  test('text content types are those API Gateway passes as text', () => {
    expect(['text/plain', 'application/json; charset=utf-8', 'application/problem+json', 'application/xml', 'application/javascript'].every(isTextContentType)).toBe(true);
    expect([undefined, 'application/octet-stream', 'application/x-www-form-urlencoded', 'image/png'].some(isTextContentType)).toBe(false);
  });

  test('joinedHeaders keeps the order of a repeated header\'s values', () => {
    expect(joinedHeaders(['Accept', 'a', 'ACCEPT', 'b', 'accept', 'c'])).toEqual({ accept: 'a,b,c' });
  });

  test('headers and query parameters named like Object\'s own properties are keys like any other', () => {
    const headers = joinedHeaders(['Constructor', 'a', '__proto__', 'b', 'toString', 'c', 'toString', 'd']);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.entries(headers)).toEqual([['constructor', 'a'], ['__proto__', 'b'], ['tostring', 'c,d']]);
    const event = payloadV2Event(request({ url: '/orders/a/Create?constructor=1&__proto__=2&hasOwnProperty=3&constructor=4' }), context, 'req-2');
    expect(Object.entries(event.queryStringParameters as object)).toEqual([['constructor', '1,4'], ['__proto__', '2'], ['hasOwnProperty', '3']]);
  });
});

describe('answerOf: a function\'s result as API Gateway answers it', () => {
  test('a structured result: status, headers in lower case, cookies as set-cookie lines, a base64 body decoded', () => {
    const answer = answerOf({ statusCode: 201, headers: { ETag: '"1"' }, cookies: ['a=1', 'b=2'], body: Buffer.from('hi').toString('base64'), isBase64Encoded: true });

    expect(answer.statusCode).toBe(201);
    expect(answer.headers).toEqual([['etag', '"1"'], ['content-type', 'application/json'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
    expect(answer.body.toString()).toBe('hi');
  });

  test('anything without a statusCode is a 200 with the result as JSON; a status out of range is a 500', () => {
    expect(answerOf({ id: 1 })).toMatchObject({ statusCode: 200, body: Buffer.from('{"id":1}') });
    expect(answerOf(null)).toMatchObject({ statusCode: 200, body: Buffer.from('null') });
    expect(answerOf({ statusCode: 99 })).toMatchObject({ statusCode: 500, body: Buffer.from('{"message":"Internal Server Error"}') });
  });
});
