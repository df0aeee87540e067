import fc from 'fast-check';
import { DomainError, type EventEnvelope } from 'cdk-cqrs/runtime';
import { answerHttpQuery } from '../../lambda/http/http-command';
import { httpApiEvent } from '../helpers/http-api-events';
import { commandAnswer } from '../../lambda/http/command-answer';
import { commandFromHttp } from '../../lambda/http/http-request';

const eventAt = (version: number) => ({ version, type: 'Happened' }) as unknown as EventEnvelope;

describe('the answer to an accepted command', () => {
  test('is 201 when it made the first events, 200 otherwise, with the version as ETag', () => {
    fc.assert(fc.property(fc.nat({ max: 1000 }), fc.nat({ max: 5 }), (before, count) => {
      const events = Array.from({ length: count }, (_, i) => eventAt(before + i + 1));
      const answer = commandAnswer({ aggregateId: 'c-1', version: before + count, events }, 'corr-1');
      expect(answer.statusCode).toBe(before === 0 && count > 0 ? 201 : 200);
      expect(answer.headers.etag).toBe(`"${before + count}"`);
      expect(JSON.parse(answer.body)).toEqual({ aggregateId: 'c-1', version: before + count, events: JSON.parse(JSON.stringify(events)) });
    }));
  });

  test('its ETag, sent back as If-Match, is the version the next command expects', () => {
    fc.assert(fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (version) => {
      const { etag } = commandAnswer({ aggregateId: 'c-1', version, events: [] }, 'c').headers;
      const next = commandFromHttp({ pathParameters: { aggregateId: 'c-1', commandType: 'Touch' }, headers: { 'if-match': etag }, requestContext: { requestId: 'r' } }, undefined);
      expect(next.expectedVersion).toBe(version);
    }));
  });
});

describe('the answer to a query', () => {
  test('is never cached, as a document\'s is not: it is the caller\'s own, and changes with their next command', async () => {
    const event = httpApiEvent({ method: 'GET', route: '/queries/{queryType}', pathParameters: { queryType: 'ListOrdersByCustomer' }, sub: 'c-1' });
    const answered = await answerHttpQuery(event, () => Promise.resolve({ orders: [{ orderId: 'o-1' }] }));
    expect(answered.statusCode).toBe(200);
    expect(answered.headers['cache-control']).toBe('no-store');
    const refused = await answerHttpQuery(event, () => Promise.reject(new DomainError('A customer may list only their own orders')));
    expect(refused.headers['cache-control']).toBe('no-store');
  });
});
