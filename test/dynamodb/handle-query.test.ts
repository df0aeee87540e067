import { QueryClient, UnknownQuery, ValidationError } from 'cdk-cqrs/runtime';
import { createQueryHandler } from '../../lambda/handlers/query-handler';
import { eraseProjection } from '../../lambda/projection/define-projection';
import { projectMessages } from '../../lambda/projection/project-messages';
import orderQueries from '../../bin/domain/order-queries';
import ordersByCustomer from '../../bin/domain/orders-by-customer';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';
import { inProcessLambda } from '../helpers/in-process-lambda';

let store: EventStoreTable;
let readModel: ReadModelTable;
let query: (event: unknown) => Promise<unknown>;

const created = (customerId: string, total: number) => ({ type: 'OrderCreated', data: { customerId, items: [{ sku: 'x', quantity: 1, unitPrice: total }], total } });

beforeAll(async () => {
  [store, readModel] = await Promise.all([createEventStoreTable('queries-events'), createReadModelTable('queries', ['byCustomer'])]);
  // GIVEN five orders of customer c-1 (one shipped), created in the reverse order of their ids, and one of c-2
  const createdOn = (day: number) => <E extends { metadata: object }>(e: E) => ({ ...e, metadata: { ...e.metadata, occurredAt: new Date(Date.UTC(2026, 0, day)).toISOString() } });
  const events = [
    ...[1, 2, 3, 4, 5].flatMap((n) => envelopes('Order', `o-${n}`, n === 3
      ? [created('c-1', n * 100), { type: 'OrderShipped', data: { trackingNumber: 'TRK-3' } }]
      : [created('c-1', n * 100)]).map(createdOn(10 - n))),
    ...envelopes('Order', 'o-9', [created('c-2', 900)]),
  ];
  const result = await projectMessages(eraseProjection(ordersByCustomer), events.map((e) => queueMessage(e)), {
    dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: 'OrdersByCustomer', log: () => undefined,
  });
  expect(result.batchItemFailures).toEqual([]);
  query = createQueryHandler(orderQueries, { readModelTable: readModel.tableName, dynamoDb: readModel.doc });
});
afterAll(async () => { await Promise.all([store.drop(), readModel.drop()]); });

describe('the query function', () => {
  test('gives the handlers the caller: the example lets a customer list only their own orders', async () => {
    const list = (caller?: unknown) => query({ type: 'ListOrdersByCustomer', params: { customerId: 'c-2', status: 'PENDING' }, caller });
    await expect(list({ subject: 'c-2', claims: { email: 'bob@example.com' } })).resolves.toEqual({ orders: [expect.objectContaining({ orderId: 'o-9' })] });
    await expect(list()).resolves.toEqual({ orders: [expect.objectContaining({ orderId: 'o-9' })] });
    // Rejections are answers, as a command's are
    await expect(list({ subject: 'c-1', claims: {} })).resolves.toEqual({ error: expect.objectContaining({ name: 'DomainError', message: 'A customer may list only their own orders' }) });
    await expect(list({ subject: '' })).resolves.toEqual({ error: expect.objectContaining({ name: 'ValidationError', message: expect.stringMatching(/caller must have a subject/) }) });
    await expect(list('c-2')).resolves.toEqual({ error: expect.objectContaining({ name: 'ValidationError', message: expect.stringMatching(/caller must be an object/) }) });
  });

  test('lists a customer\'s orders of one status, newest first, page by page', async () => {
    const first = await query({ type: 'ListOrdersByCustomer', params: { customerId: 'c-1', status: 'PENDING', limit: 3 } }) as { orders: { orderId: string }[]; cursor?: string };
    const second = await query({ type: 'ListOrdersByCustomer', params: { customerId: 'c-1', status: 'PENDING', limit: 3, cursor: first.cursor } }) as { orders: { orderId: string }[]; cursor?: string };
    expect([...first.orders, ...second.orders].map((o) => o.orderId)).toEqual(['o-1', 'o-2', 'o-4', 'o-5']);
    expect(second.cursor).toBeUndefined();
  });

  test('gets one order', async () => {
    await expect(query({ type: 'GetOrder', params: { orderId: 'o-3' } })).resolves.toMatchObject({ customerId: 'c-1', status: 'SHIPPED', trackingNumber: 'TRK-3', total: 300 });
    await expect(query({ type: 'GetOrder', params: { orderId: 'o-404' } })).resolves.toBeUndefined();
  });

  test('answers an unknown query with an UnknownQuery that names the queries, as an unknown command is an UnknownCommand', async () => {
    const named = createQueryHandler(orderQueries, { readModelTable: readModel.tableName, dynamoDb: readModel.doc, aggregateName: 'Order' });
    await expect(named({ type: 'ListEverything', params: {} })).resolves.toEqual({ error: {
      name: 'UnknownQuery', message: "Order has no query 'ListEverything'. Known queries: GetOrder, ListOrdersByCustomer.",
      queryType: 'ListEverything', knownQueries: ['GetOrder', 'ListOrdersByCustomer'],
    } });
  });

  test('answers a malformed request, or a query its code rejects, with a ValidationError', async () => {
    await expect(query({ params: {} })).resolves.toEqual({
      error: expect.objectContaining({ name: 'ValidationError', message: 'A query request is { type, params }: type is missing.' }),
    });
    await expect(query({ type: 'ListOrdersByCustomer', params: { customerId: 'c-1', status: 'LOST' } })).resolves.toEqual({
      error: expect.objectContaining({ name: 'ValidationError', message: 'status must be one of PENDING, CANCELLED, SHIPPED (given LOST).' }),
    });
  });

  test('fails at start-up when the module\'s default export is not defineQueries(...)', () => {
    expect(() => createQueryHandler({ GetOrder: () => undefined })).toThrow("the query function's module must have defineQueries(...) as its default export; it has not a definition (object).");
  });
});

describe('the query client', () => {
  const client = () => new QueryClient<typeof orderQueries>({ functionName: 'order-queries', lambda: inProcessLambda(query) });

  test('answers the query\'s result, and null for a query that finds nothing', async () => {
    await expect(client().query('GetOrder', { orderId: 'o-3' })).resolves.toMatchObject({ customerId: 'c-1', status: 'SHIPPED' });
    await expect(client().query('GetOrder', { orderId: 'o-404' })).resolves.toBeNull();
    const page = await client().query('ListOrdersByCustomer', { customerId: 'c-2', status: 'PENDING' });
    expect(page.orders.map((o) => o.orderId)).toEqual(['o-9']);
  });

  test('throws a rejected query as its typed error', async () => {
    const unknown = new QueryClient({ functionName: 'order-queries', lambda: inProcessLambda(query) }).query('ListEverything');
    await expect(unknown).rejects.toBeInstanceOf(UnknownQuery);
    await expect(unknown).rejects.toMatchObject({ queryType: 'ListEverything', knownQueries: ['GetOrder', 'ListOrdersByCustomer'] });
    // @ts-expect-error LOST is not a status: the query's own check answers it
    const lost = client().query('ListOrdersByCustomer', { customerId: 'c-1', status: 'LOST' });
    await expect(lost).rejects.toBeInstanceOf(ValidationError);
  });

  test('throws a fault of the function as an error naming the function', async () => {
    const failing = new QueryClient({ functionName: 'order-queries', lambda: inProcessLambda(async () => { throw new TypeError('boom'); }) });
    await expect(failing.query('GetOrder', { orderId: 'o-1' })).rejects.toThrow('Query function order-queries failed: boom');
  });
});

describe('the query function over the HTTP API', () => {
  const get = (queryType: string, params: Record<string, string>, sub: string | null) => ({
    version: '2.0', routeKey: 'GET /queries/{queryType}', headers: { 'x-correlation-id': 'corr-q' },
    pathParameters: { queryType }, queryStringParameters: params,
    requestContext: { requestId: 'req-q', http: { method: 'GET' }, ...(sub === null ? {} : { authorizer: { jwt: { claims: { sub } } } }) },
  });
  const answer = async (event: unknown) => {
    const { statusCode, headers, body } = await query(event) as { statusCode: number; headers: Record<string, string>; body: string };
    return { statusCode, headers, json: JSON.parse(body) as unknown };
  };

  test('answers a query with its result, the caller verified by the authorizer', async () => {
    const own = await answer(get('ListOrdersByCustomer', { customerId: 'c-2', status: 'PENDING' }, 'c-2'));
    expect(own).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json', 'x-correlation-id': 'corr-q', 'cache-control': 'no-store' }, json: { orders: [expect.objectContaining({ orderId: 'o-9' })] } });
  });

  test('another customer\'s list is a 422 problem; an unknown query a 404; a missing order answers null', async () => {
    expect(await answer(get('ListOrdersByCustomer', { customerId: 'c-2', status: 'PENDING' }, 'c-1'))).toMatchObject({ statusCode: 422, json: { type: 'urn:cdk-cqrs:problem:domain-error' } });
    expect(await answer(get('ListOrders', {}, 'c-1'))).toMatchObject({ statusCode: 404, json: { type: 'urn:cdk-cqrs:problem:unknown-query', knownQueries: ['GetOrder', 'ListOrdersByCustomer'] } });
    expect(await answer(get('GetOrder', { orderId: 'o-404' }, 'c-1'))).toMatchObject({ statusCode: 200, json: null });
  });
});
