import { HTTP_FAULT_METRIC } from '../../lib/private/runtime-contract';
import { createCommandHandler } from '../../lambda/handlers/command-handler';
import { createProjectionReader } from '../../lambda/handlers/projection-reader';
import { createQueryHandler } from '../../lambda/handlers/query-handler';
import type { HttpAnswer } from '../../lambda/http/problem';
import order from '../../bin/domain/order';
import orderQueries from '../../bin/domain/order-queries';
import ordersByCustomer from '../../bin/domain/orders-by-customer';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { emfProblems } from '../helpers/embedded-metric-format';
import { httpApiEvent, type HttpApiRequest } from '../helpers/http-api-events';

// Each HTTP path (command, query, projection reader) on DynamoDB Local, its tables missing: a fault
// is answered as a 500, so its log line must count it in the HTTP fault metric; a rejection must not.
let store: EventStoreTable;
beforeAll(async () => { store = await createEventStoreTable('http-faults'); });
afterAll(async () => { await store.drop(); });

const missing = 'no-such-table';
const request = (method: HttpApiRequest['method'], route: string, pathParameters: Record<string, string>, body?: unknown) =>
  httpApiEvent({ method, route, pathParameters, headers: { 'x-correlation-id': 'corr-fault', 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), sub: 'c-ann' });

/** Each path: its handler on a missing table, a request that reaches the table (a fault), and one refused before (a rejection). */
const paths: ReadonlyArray<readonly [string, () => (event: unknown) => Promise<unknown>, unknown, unknown]> = [
  ['command', () => createCommandHandler(order, store.deps({ aggregateName: 'Order', tableName: missing })),
    request('POST', '/orders/{aggregateId}/{commandType}', { aggregateId: 'o-1', commandType: 'CancelOrder' }, { reason: 'changed my mind' }),
    request('POST', '/orders/{aggregateId}/{commandType}', { aggregateId: 'o-1', commandType: 'FlyOrder' }, {})],
  ['query', () => createQueryHandler(orderQueries, { readModelTable: missing, dynamoDb: store.doc }),
    { ...request('GET', '/queries/{queryType}', { queryType: 'GetOrder' }), queryStringParameters: { orderId: 'o-1' } },
    request('GET', '/queries/{queryType}', { queryType: 'ListOrders' })],
  ['projection reader', () => createProjectionReader({ OrdersByCustomer: ordersByCustomer }, { readModelTable: missing, aggregateName: 'Order', dynamoDb: store.doc }),
    request('GET', '/orders/{aggregateId}/{projectionName}', { aggregateId: 'o-1', projectionName: 'OrdersByCustomer' }),
    request('GET', '/orders/{aggregateId}/{projectionName}', { aggregateId: 'o-1', projectionName: 'Nope' })],
];

/** What the handler answered, and each line it wrote to stderr. */
async function answerAndLog(handler: (event: unknown) => Promise<unknown>, event: unknown): Promise<{ answer: HttpAnswer; lines: string[] }> {
  const lines: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => { lines.push(line); });
  try {
    return { answer: await handler(event) as HttpAnswer, lines };
  } finally {
    spy.mockRestore();
  }
}

describe.each(paths)('the %s path over the HTTP API', (_name, makeHandler, faulty, rejected) => {
  afterEach(() => { delete process.env.AWS_LAMBDA_FUNCTION_NAME; });

  test('logs a fault as one Embedded Metric Format line counting 1 HttpFault for the function, with the fault\'s correlation id', async () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'shop-Orders-Fn';
    const { answer, lines } = await answerAndLog(makeHandler(), faulty);
    expect(answer.statusCode).toBe(500);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(emfProblems(line)).toEqual([]);
    const { namespace, metricName, dimension } = HTTP_FAULT_METRIC;
    expect(line).toMatchObject({
      level: 'ERROR', correlationId: 'corr-fault', error: expect.stringMatching(/ResourceNotFound|non-existent table/),
      _aws: { Timestamp: expect.any(Number), CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[dimension]], Metrics: [{ Name: metricName, Unit: 'Count' }] }] },
      [dimension]: 'shop-Orders-Fn', [metricName]: 1,
    });
    expect(Math.abs((line._aws as { Timestamp: number }).Timestamp - Date.now())).toBeLessThan(60_000);
  });

  test('names the function "local" outside Lambda', async () => {
    const { lines } = await answerAndLog(makeHandler(), faulty);
    expect(JSON.parse(lines[0])).toMatchObject({ [HTTP_FAULT_METRIC.dimension]: 'local' });
  });

  test('logs nothing for a rejection: it is no fault', async () => {
    const { answer, lines } = await answerAndLog(makeHandler(), rejected);
    expect(answer.statusCode).toBe(404);
    expect(lines).toEqual([]);
  });
});

describe('the Embedded Metric Format check', () => {
  // The check must be able to fail, or a passing test above would prove nothing.
  const valid = { _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [['Fn']], Metrics: [{ Name: 'M', Unit: 'Count' }] }] }, Fn: 'f', M: 1 };
  test.each([
    ['no _aws', { Fn: 'f', M: 1 }],
    ['a metric that is no member', { ...valid, M: undefined }],
    ['a metric that is a string', { ...valid, M: '1' }],
    ['a dimension that is no member', { ...valid, Fn: undefined }],
    ['an unknown unit', { ...valid, _aws: { ...valid._aws, CloudWatchMetrics: [{ ...valid._aws.CloudWatchMetrics[0], Metrics: [{ Name: 'M', Unit: 'Faults' }] }] } }],
    ['a timestamp that is a string', { ...valid, _aws: { ...valid._aws, Timestamp: '2026-01-01' } }],
  ])('finds %s', (_label, document) => {
    expect(emfProblems(valid)).toEqual([]);
    expect(emfProblems(document)).not.toEqual([]);
  });
});
