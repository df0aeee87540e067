import { createCommandHandler } from '../../lambda/handlers/command-handler';
import type { HttpAnswer } from '../../lambda/http/problem';
import { httpAnswer, httpApiEvent } from '../helpers/http-api-events';
import order from '../../bin/domain/order';
import { countRequests, type RequestCounter } from '../helpers/request-counts';
import { createEventStoreTable, type EventStoreTable } from '../helpers/create-event-store-table';
import { createSessionTable } from '../helpers/create-session-table';

// The command handler answering API Gateway's HTTP API (payload format 2.0) itself, on DynamoDB Local.
let store: EventStoreTable;
let sessions: Awaited<ReturnType<typeof createSessionTable>>;
let handler: (event: unknown) => Promise<unknown>;
let requests: RequestCounter;

beforeAll(async () => {
  [store, sessions] = await Promise.all([createEventStoreTable('http-commands'), createSessionTable('http-sessions')]);
  requests = countRequests(store.client);
  handler = createCommandHandler(order, store.deps({ aggregateName: 'Order', eventSource: 'shop.Order', session: { tableName: sessions.tableName, ttlSeconds: 300 } }));
});
afterAll(async () => { await Promise.all([store.drop(), sessions.drop()]); });

const items = [{ sku: 'tea', quantity: 2, unitPrice: 450 }];
/** A POST of `commandType` to order `orderId`, as API Gateway hands it over, by `sub` (none: anonymous). */
const post = (orderId: string, commandType: string, body: unknown, headers: Record<string, string> = {}, sub: string | null = 'c-ann', claims?: Record<string, string>) => httpApiEvent({
  method: 'POST', route: '/orders/{aggregateId}/{commandType}', pathParameters: { aggregateId: orderId, commandType },
  headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body), sub, claims,
});
/** A member of the Cognito group `staff`, as API Gateway passes a list claim. */
const STAFF = { 'cognito:groups': '[staff]' };
const send = (event: unknown) => httpAnswer(handler, event);
const storedItems = async (orderId: string) => (await store.scanAll()).filter((item) => String(item.pk).includes(orderId));

describe('a command over the HTTP API', () => {
  test('a creation with If-None-Match: * is a 201 with its ETag, for one DynamoDB request', async () => {
    requests.clear();
    const answer = await send(post('o-1', 'CreateOrder', { customerId: 'c-ann', items, total: 900 }, { 'if-none-match': '*' }));
    expect(answer.statusCode).toBe(201);
    expect(answer.headers.etag).toBe('"1"');
    expect(answer.json).toMatchObject({ aggregateId: 'o-1', version: 1, events: [{ type: 'OrderCreated' }] });
    // The creation's conditional write (a transaction here, as the session entry goes with it), and no read.
    expect(requests.total()).toBe(1);
  });

  test('a stale If-Match is a 409 problem carrying the current version; a fresh one is a 200', async () => {
    await send(post('o-2', 'CreateOrder', { customerId: 'c-ann', items, total: 900 }));
    const stale = await send(post('o-2', 'ShipOrder', { trackingNumber: 'T-1' }, { 'if-match': '"0"' }, 'staff-1', STAFF));
    expect(stale.statusCode).toBe(409);
    expect(stale.headers['content-type']).toBe('application/problem+json');
    expect(stale.json).toMatchObject({ type: 'urn:cdk-cqrs:problem:concurrency-error', status: 409, currentVersion: 1 });
    const fresh = await send(post('o-2', 'ShipOrder', { trackingNumber: 'T-1' }, { 'if-match': '"1"' }, 'staff-1', STAFF));
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers.etag).toBe('"2"');
  });

  test('a replayed Idempotency-Key gets the same answer and writes nothing; with another payload it is a 422', async () => {
    const first = await send(post('o-3', 'CreateOrder', { customerId: 'c-ann', items, total: 900 }, { 'idempotency-key': 'k-1' }));
    const itemsAfterFirst = await storedItems('o-3');
    const again = await send(post('o-3', 'CreateOrder', { customerId: 'c-ann', items, total: 900 }, { 'idempotency-key': 'k-1' }));
    expect(again.json).toEqual(first.json);
    expect(await storedItems('o-3')).toEqual(itemsAfterFirst);
    const reused = await send(post('o-3', 'CreateOrder', { customerId: 'c-ann', items, total: 450 * 3 }, { 'idempotency-key': 'k-1' }));
    expect(reused.statusCode).toBe(422);
    expect(reused.json).toMatchObject({ type: 'urn:cdk-cqrs:problem:idempotency-key-reused' });
    // Another caller's same key is another key: not a replay of Ann's command.
    const bob = await send(post('o-3b', 'CreateOrder', { customerId: 'c-bob', items, total: 900 }, { 'idempotency-key': 'k-1' }, 'c-bob'));
    expect(bob.statusCode).toBe(201);
    expect(bob.json).toMatchObject({ aggregateId: 'o-3b' });
  });

  test('the verified caller reaches decide: only the order\'s customer may cancel it (422)', async () => {
    await send(post('o-4', 'CreateOrder', { customerId: 'c-ann', items, total: 900 }));
    const byBob = await send(post('o-4', 'CancelOrder', { reason: 'mischief' }, {}, 'c-bob'));
    expect(byBob.statusCode).toBe(422);
    expect(byBob.json).toMatchObject({ type: 'urn:cdk-cqrs:problem:domain-error', detail: 'Only the customer who placed this order may cancel it' });
    expect((await send(post('o-4', 'CancelOrder', { reason: 'changed my mind' }))).statusCode).toBe(200);
  });

  test('the example\'s other rules judge the verified caller and its claims: orders in one\'s own name, shipping by staff only', async () => {
    const forAnn = { customerId: 'c-ann', items, total: 900 };
    const inBobsName = await send(post('o-6', 'CreateOrder', forAnn, {}, 'c-bob'));
    expect(inBobsName.json).toMatchObject({ status: 422, detail: 'A customer may place orders only in their own name' });
    expect(await storedItems('o-6')).toEqual([]);
    await send(post('o-6', 'CreateOrder', forAnn));
    // Ann is a customer; "staffer" in a group's name is not the group staff.
    for (const claims of [undefined, { 'cognito:groups': '[customers]' }, { 'cognito:groups': '[staffer]' }]) {
      expect((await send(post('o-6', 'ShipOrder', { trackingNumber: 'T-6' }, {}, 'c-ann', claims))).json).toMatchObject({ status: 422, detail: 'Only staff may ship an order' });
    }
    expect((await send(post('o-6', 'ShipOrder', { trackingNumber: 'T-6' }, {}, 'staff-1', { 'cognito:groups': '[customers staff]' }))).statusCode).toBe(200);
  });

  test.each([
    ['bad JSON', '{"customerId":', {}],
    ['a body that is no object', '[]', {}],
    ['an oversized body', JSON.stringify({ customerId: 'c-ann', items, total: 900, note: 'x'.repeat(300 * 1024) }), {}],
    ['a weak If-Match', { customerId: 'c-ann', items, total: 900 }, { 'if-match': 'W/"1"' }],
  ])('%s is a 400 problem, with nothing written', async (_label, body, headers) => {
    const answer = await send(post('o-5', 'CreateOrder', body, headers));
    expect(answer.statusCode).toBe(400);
    expect(answer.json).toMatchObject({ type: 'urn:cdk-cqrs:problem:validation-error', status: 400, issues: [expect.objectContaining({ message: expect.any(String) })] });
    expect(await storedItems('o-5')).toEqual([]);
  });

  test('a verified token without a subject is a 403, not an anonymous caller, with nothing written', async () => {
    const event = post('o-8', 'CreateOrder', { customerId: 'c-ann', items, total: 900 });
    const noSub = { ...event, requestContext: { ...event.requestContext, authorizer: { jwt: { claims: { client_id: 'machine-1' }, scopes: null } } } };
    const answer = await send(noSub);
    expect(answer.statusCode).toBe(403);
    expect(answer.json).toMatchObject({ type: 'urn:cdk-cqrs:problem:forbidden', status: 403 });
    expect(await storedItems('o-8')).toEqual([]);
  });

  test('an unknown command is a 404 problem naming the known ones', async () => {
    const answer = await send(post('o-6', 'FlyOrder', {}));
    expect(answer.statusCode).toBe(404);
    expect(answer.json).toMatchObject({ type: 'urn:cdk-cqrs:problem:unknown-command', knownCommands: ['CreateOrder', 'CancelOrder', 'ShipOrder'] });
  });

  test('a fault is a 500 with the correlation id and nothing internal, and is logged with that id', async () => {
    const broken = createCommandHandler(order, store.deps({ aggregateName: 'Order', tableName: 'no-such-table' }));
    const logged: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => { logged.push(line); });
    try {
      const answer = await broken(post('o-7', 'CreateOrder', { customerId: 'c-ann', items, total: 900 }, { 'x-correlation-id': 'corr-77' })) as HttpAnswer;
      expect(answer.statusCode).toBe(500);
      expect(JSON.parse(answer.body)).toEqual({ type: 'urn:cdk-cqrs:problem:internal-error', title: 'Internal error', status: 500, correlationId: 'corr-77' });
      expect(answer.body).not.toMatch(/no-such-table|ResourceNotFound/);
      expect(logged.map((line) => JSON.parse(line) as { correlationId: string; error: string })).toEqual([
        expect.objectContaining({ level: 'ERROR', correlationId: 'corr-77', error: expect.stringMatching(/ResourceNotFound|non-existent table/) }),
      ]);
    } finally {
      spy.mockRestore();
    }
  });
});
