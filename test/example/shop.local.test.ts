import { App } from 'aws-cdk-lib';
import { LocalApp } from 'cdk-cqrs/testing';
import { ShopStack } from '../../bin/app';
import type customer from '../../bin/domain/customer';
import customerView from '../../bin/domain/customer-view';
import type order from '../../bin/domain/order';
import type orderQueries from '../../bin/domain/order-queries';
import { UnknownQuery } from 'cdk-cqrs/runtime';
import ordersByCustomer from '../../bin/domain/orders-by-customer';
import { startCountingProxy, type CountingProxy } from '../helpers/counting-proxy';

// The example app as it deploys, run with cdk-cqrs/testing's LocalApp on the test run's DynamoDB Local.
let local: LocalApp;
// The app's functions reach DynamoDB Local through this proxy, which counts their requests on the wire.
let dynamoDb: CountingProxy;

beforeAll(async () => {
  const app = () => {
    const built = new App();
    new ShopStack(built, 'Shop');
    return built;
  };
  dynamoDb = await startCountingProxy(process.env.DYNAMODB_ENDPOINT!);
  local = await LocalApp.start({ app, dynamoDbEndpoint: dynamoDb.endpoint });
}, 120_000);

afterAll(async () => {
  await local?.stop();
  await dynamoDb?.stop();
});

describe('the example app, run locally', () => {
  test('a suspended customer shows as suspended once the projector has run', async () => {
    const customers = local.commands<typeof customer>('Customer');
    await customers.send({ type: 'RegisterCustomer', aggregateId: 'c-sus', payload: { email: 'sus@example.com', name: 'Sue' } });
    await customers.send({ type: 'SuspendCustomer', aggregateId: 'c-sus', payload: { reason: 'chargeback' } });

    await local.settle();

    expect(await local.repository(customerView, 'CustomerView').get('c-sus')).toEqual({ email: 'sus@example.com', name: 'Sue', status: 'SUSPENDED' });
  });

  test('a cancelled order leaves its customer\'s pending orders, and cannot be shipped', async () => {
    const orders = local.commands<typeof order>('Order');
    const items = [{ sku: 'tea', quantity: 1, unitPrice: 450 }];
    await orders.send({ type: 'CreateOrder', aggregateId: 'o-keep', payload: { customerId: 'c-bo', items, total: 450 } });
    await orders.send({ type: 'CreateOrder', aggregateId: 'o-drop', payload: { customerId: 'c-bo', items, total: 450 } });
    await orders.send({ type: 'CancelOrder', aggregateId: 'o-drop', payload: { reason: 'duplicate' } });
    const shipping = orders.send({ type: 'ShipOrder', aggregateId: 'o-drop', payload: { trackingNumber: 'TRK-9' } });
    await expect(shipping).rejects.toMatchObject({ name: 'DomainError' });

    await local.settle();

    const pending = await local.repository(ordersByCustomer, 'OrdersByCustomer').query({ index: 'byCustomer', partition: 'c-bo', sortBeginsWith: 'PENDING#' });
    expect(pending.items.map((item) => item.aggregateId)).toEqual(['o-keep']);
  });

  test('a session reads its own email change before the projector has run; after it, every reader does', async () => {
    const customers = local.commands<typeof customer>('Customer');
    await customers.send({ type: 'RegisterCustomer', aggregateId: 'c-ryw', payload: { email: 'old@example.com', name: 'Rae' } });
    await local.settle();
    await customers.send({ type: 'UpdateEmail', aggregateId: 'c-ryw', payload: { email: 'new@example.com' }, expectedVersion: 1, sessionId: 's-rae' });
    const views = local.repository(customerView, 'CustomerView', { readYourWritesOf: 'Customer' });

    expect(await views.get('c-ryw', { sessionId: 's-rae' })).toMatchObject({ email: 'new@example.com' });
    expect(await views.get('c-ryw')).toMatchObject({ email: 'old@example.com' });

    await local.settle();
    expect(await views.get('c-ryw')).toMatchObject({ email: 'new@example.com' });
  });

  test('the deployed query function answers a typed query once the projector has run, and refuses an unknown one', async () => {
    const orders = local.commands<typeof order>('Order');
    await orders.send({ type: 'CreateOrder', aggregateId: 'o-q', payload: { customerId: 'c-q', items: [{ sku: 'jam', quantity: 2, unitPrice: 300 }], total: 600 } });
    const queries = local.queries<typeof orderQueries>('Order');
    await expect(queries.query('GetOrder', { orderId: 'o-q' })).resolves.toBeNull();

    await local.settle();

    await expect(queries.query('GetOrder', { orderId: 'o-q' })).resolves.toMatchObject({ customerId: 'c-q', status: 'PENDING', total: 600 });
    const page = await queries.query('ListOrdersByCustomer', { customerId: 'c-q', status: 'PENDING' });
    expect(page.orders.map((o) => o.orderId)).toEqual(['o-q']);
    await expect(local.queries('Order').query('ListEverything')).rejects.toBeInstanceOf(UnknownQuery);
  });

  test('fails to find the query function of an aggregate without queries, and says what to set', () => {
    expect(() => local.queries('Customer'))
      .toThrow("cdk-cqrs local: aggregate 'Customer' has no query function: set queries: { entry } on its CqrsAggregate, to a module whose default export is defineQueries(...).");
  });

  test('fails to read the writes of a session on an aggregate without readYourWrites, and says what to set', () => {
    expect(() => local.repository(ordersByCustomer, 'OrdersByCustomer', { readYourWritesOf: 'Order' }))
      .toThrow("cdk-cqrs local: aggregate 'Order' has no session table: set readYourWrites on its CqrsAggregate.");
  });
});

describe('the example\'s SQL order view (PGlite locally, migrations applied at start)', () => {
  const query = (type: string, params: Record<string, unknown>) => local.cloud.invoke('Reports/QueryHandler', { type, params });

  test('an order carries its customer\'s name and email, follows an email change, pages newest first, and revenue per customer joins both aggregates', async () => {
    // GIVEN an order placed before its customer registered, and two more after
    const customers = local.commands<typeof customer>('Customer');
    const orders = local.commands<typeof order>('Order');
    const items = [{ sku: 'tea#1', quantity: 3, unitPrice: 250 }];
    await orders.send({ type: 'CreateOrder', aggregateId: 'sql#o1', payload: { customerId: 'sql#c1', items, total: 750 } });
    await local.settle();
    await customers.send({ type: 'RegisterCustomer', aggregateId: 'sql#c1', payload: { email: 'zoe@example.com', name: 'Zoë' } });
    await orders.send({ type: 'CreateOrder', aggregateId: 'sql#o2', payload: { customerId: 'sql#c1', items, total: 750 } });
    await orders.send({ type: 'CreateOrder', aggregateId: 'sql#o3', payload: { customerId: 'sql#c1', items: [{ sku: 'cup', quantity: 1, unitPrice: 900 }], total: 900 } });
    await orders.send({ type: 'CancelOrder', aggregateId: 'sql#o3', payload: { reason: 'changed my mind' } });
    await customers.send({ type: 'UpdateEmail', aggregateId: 'sql#c1', payload: { email: 'zoe@new.example' } });
    await local.settle();

    // THEN every order of hers carries her name and her new email, a page at a time with a cursor
    const first = await query('ListOrders', { customerId: 'sql#c1', limit: 2 }) as { orders: Record<string, unknown>[]; cursor?: string };
    const second = await query('ListOrders', { customerId: 'sql#c1', limit: 2, cursor: first.cursor }) as { orders: Record<string, unknown>[]; cursor?: string };
    const all = [...first.orders, ...second.orders];
    expect(all.map((o) => o.order_id).sort()).toEqual(['sql#o1', 'sql#o2', 'sql#o3']);
    expect(new Set(all.map((o) => `${o.customer_name} ${o.customer_email}`))).toEqual(new Set(['Zoë zoe@new.example']));
    expect(second.cursor).toBeUndefined();
    expect(await query('ListOrders', { customerId: 'sql#c1', status: 'CANCELLED' })).toEqual({ orders: [expect.objectContaining({ order_id: 'sql#o3', total_cents: 900 })] });
    expect(await query('GetOrderDetails', { orderId: 'sql#o1' })).toEqual(expect.objectContaining({ order_id: 'sql#o1', items: [{ line: 1, sku: 'tea#1', quantity: 3, unit_price_cents: 250 }] }));
    // Revenue counts the orders not cancelled: a join of both aggregates' rows.
    const revenue = await query('RevenueByCustomer', { limit: 100 }) as Record<string, unknown>[];
    expect(revenue.find((row) => row.customer_id === 'sql#c1')).toEqual({ customer_id: 'sql#c1', name: 'Zoë', email: 'zoe@new.example', orders: 2, revenue_cents: 1500 });
    // A forged cursor is a validation error, not a fault.
    expect(await query('ListOrders', { customerId: 'sql#c1', cursor: 'bm90IGEgY3Vyc29y' })).toEqual({ error: expect.objectContaining({ name: 'ValidationError' }) });
  });
});

// Requests over HTTP, as a browser or a client would send them.
const items = [{ sku: 'tea', quantity: 2, unitPrice: 450 }];
const tokens = new Map<string, Promise<string>>();
/** A token of the example's user pool, as the run's local issuer signs it; staff are in the Cognito group `staff`. */
const tokenOf = (sub: string, staff = false) => {
  const key = `${sub}${staff}`;
  if (!tokens.has(key)) tokens.set(key, local.tokenFor({ sub, claims: staff ? { 'cognito:groups': ['staff'] } : {} }));
  return tokens.get(key)!;
};
type Answer = { status: number; etag: string | null; body: Record<string, unknown> };
const call = async (method: 'GET' | 'POST', path: string, sub: string | null, init: { body?: string; headers?: Record<string, string>; staff?: boolean } = {}): Promise<Answer> => {
  const response = await fetch(`${local.httpUrl()}${path}`, {
    method,
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(sub === null ? {} : { authorization: `Bearer ${await tokenOf(sub, init.staff)}` }), ...init.headers },
    body: init.body,
  });
  const text = await response.text();
  return { status: response.status, etag: response.headers.get('etag'), body: text === '' ? {} : JSON.parse(text) as Record<string, unknown> };
};
const command = (sub: string | null, path: string, payload: unknown, headers: Record<string, string> = {}, staff = false) =>
  call('POST', path, sub, { body: typeof payload === 'string' ? payload : JSON.stringify(payload), headers, staff });

describe('the example app over HTTP, served locally with real JWT checks', () => {
  test('a registration and an immediate read of it: the caller sees their own write before the projector runs, another caller does not', async () => {
    const created = await command('c-ann', '/customers/c-ann/RegisterCustomer', { email: 'ann@example.com', name: 'Ann' }, { 'if-none-match': '*' });
    expect(created).toMatchObject({ status: 201, etag: '"1"', body: { aggregateId: 'c-ann', version: 1, events: [{ type: 'CustomerRegistered' }] } });

    // No settle(): the read model has nothing yet; Ann's session has her write.
    expect(await call('GET', '/customers/c-ann/CustomerView', 'c-ann')).toMatchObject({ status: 200, etag: '"1"', body: { version: 1, view: { email: 'ann@example.com', status: 'ACTIVE' } } });
    expect(await call('GET', '/customers/c-ann/CustomerView', 'c-bob')).toMatchObject({ status: 404, body: { type: 'urn:cdk-cqrs:problem:not-found' } });
    await local.settle();
    // Projected, it is still Ann's to read (CustomerView's readableBy), and staff's; Bob gets the 404 of no document.
    expect(await call('GET', '/customers/c-ann/CustomerView', 'c-bob')).toMatchObject({ status: 404, body: { type: 'urn:cdk-cqrs:problem:not-found' } });
    expect(await call('GET', '/customers/c-ann/CustomerView', 's-1', { staff: true })).toMatchObject({ status: 200, body: { view: { email: 'ann@example.com' } } });
  });

  test('a creation with If-None-Match: * costs the command function one DynamoDB request (its conditional write, the session entry in it)', async () => {
    await tokenOf('c-jo');
    await local.settle();
    dynamoDb.clear();
    const created = await command('c-jo', '/customers/c-jo/RegisterCustomer', { email: 'jo@example.com', name: 'Jo' }, { 'if-none-match': '*' });
    expect(created.status).toBe(201);
    // Nothing else runs between (the publisher and projectors wait for settle()): these are the command's.
    expect(dynamoDb.operations).toEqual(['TransactWriteItems']);
  });

  test('no token is a 401, and nothing is written', async () => {
    expect((await command(null, '/customers/c-nobody/RegisterCustomer', { email: 'x@example.com', name: 'X' })).status).toBe(401);
    expect((await call('GET', '/customers/c-nobody/CustomerView', null)).status).toBe(401);
    expect((await call('GET', '/queries/GetOrder?orderId=o-1', null)).status).toBe(401);
    await local.settle();
    expect((await call('GET', '/customers/c-nobody/CustomerView', 'c-nobody')).status).toBe(404);
  });

  test('a stale If-Match is a 409 with the current version; the ETag of the last answer succeeds', async () => {
    await command('c-cat', '/customers/c-cat/RegisterCustomer', { email: 'cat@example.com', name: 'Cat' });
    const first = await command('c-cat', '/customers/c-cat/UpdateEmail', { email: 'cat@work.example' }, { 'if-match': '"1"' });
    expect(first).toMatchObject({ status: 200, etag: '"2"' });
    const stale = await command('c-cat', '/customers/c-cat/UpdateEmail', { email: 'cat@home.example' }, { 'if-match': '"1"' });
    expect(stale).toMatchObject({ status: 409, body: { type: 'urn:cdk-cqrs:problem:concurrency-error', currentVersion: 2 } });
    expect(await command('c-cat', '/customers/c-cat/UpdateEmail', { email: 'cat@home.example' }, { 'if-match': first.etag! })).toMatchObject({ status: 200, etag: '"3"' });
  });

  test('a replayed Idempotency-Key gets the same answer and writes nothing; with another payload it is a 422; another caller\'s same key is their own', async () => {
    const register = { email: 'dan@example.com', name: 'Dan' };
    const first = await command('c-dan', '/customers/c-dan/RegisterCustomer', register, { 'idempotency-key': 'k-1' });
    const replay = await command('c-dan', '/customers/c-dan/RegisterCustomer', register, { 'idempotency-key': 'k-1' });
    expect(first.status).toBe(201);
    expect(replay).toEqual(first);
    const reused = await command('c-dan', '/customers/c-dan/UpdateEmail', { email: 'dan@work.example' }, { 'idempotency-key': 'k-1' });
    expect(reused).toMatchObject({ status: 422, body: { type: 'urn:cdk-cqrs:problem:idempotency-key-reused' } });
    // Nothing was written by the replay or the refusal: the aggregate is still at version 1.
    expect(await command('c-dan', '/customers/c-dan/UpdateEmail', { email: 'dan@work.example' }, { 'if-match': '"1"' })).toMatchObject({ status: 200, etag: '"2"' });
    // Eve's key k-1 is hers: scoped to her, it answers her own command.
    expect(await command('c-eve', '/customers/c-eve/RegisterCustomer', { email: 'eve@example.com', name: 'Eve' }, { 'idempotency-key': 'k-1' })).toMatchObject({ status: 201, body: { aggregateId: 'c-eve' } });
  });

  test('the example\'s ownership rules: another customer may not cancel an order (422), nor register as someone else; staff ship', async () => {
    await command('c-fay', '/orders/o-fay/CreateOrder', { customerId: 'c-fay', items, total: 900 }, { 'if-none-match': '*' });
    expect(await command('c-gus', '/orders/o-fay/CancelOrder', { reason: 'mischief' })).toMatchObject({ status: 422, body: { detail: 'Only the customer who placed this order may cancel it' } });
    expect(await command('c-gus', '/customers/c-fay/RegisterCustomer', { email: 'gus@example.com', name: 'Gus' })).toMatchObject({ status: 422 });
    expect(await command('c-gus', '/orders/o-fay/ShipOrder', { trackingNumber: 'T-1' })).toMatchObject({ status: 422, body: { detail: 'Only staff may ship an order' } });
    expect(await command('s-1', '/orders/o-fay/ShipOrder', { trackingNumber: 'T-1' }, {}, true)).toMatchObject({ status: 200, etag: '"2"' });
    await local.settle();
    const own = await call('GET', '/queries/ListOrdersByCustomer?customerId=c-fay&status=SHIPPED', 'c-fay');
    expect(own).toMatchObject({ status: 200, body: { orders: [{ orderId: 'o-fay', status: 'SHIPPED', trackingNumber: 'T-1' }] } });
    expect(await call('GET', '/queries/ListOrdersByCustomer?customerId=c-fay&status=SHIPPED', 'c-gus')).toMatchObject({ status: 422 });
  });

  test.each([
    ['bad JSON', '{"email":'],
    ['a body that is not an object', '["ann@example.com"]'],
    ['an oversized body', JSON.stringify({ email: 'hal@example.com', name: 'h'.repeat(300 * 1024) })],
  ])('%s is a 400 problem with nothing written', async (_label, body) => {
    const answer = await command('c-hal', '/customers/c-hal/RegisterCustomer', body);
    expect(answer).toMatchObject({ status: 400, body: { type: 'urn:cdk-cqrs:problem:validation-error' } });
    // Nothing was written: the customer can still be created (If-None-Match: * needs version 0).
    expect((await call('GET', '/customers/c-hal/CustomerView', 'c-hal')).status).toBe(404);
  });

  test('unknown commands and unexposed projections are 404 problems, even named like Object\'s own properties', async () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      expect(await command('c-ivy', `/customers/c-ivy/${name}`, {})).toMatchObject({ status: 404, body: { type: 'urn:cdk-cqrs:problem:unknown-command' } });
      expect(await call('GET', `/customers/c-ivy/${name}`, 'c-ivy')).toMatchObject({ status: 404, body: { type: 'urn:cdk-cqrs:problem:unknown-projection' } });
    }
  });
});

describe('attacks on the example\'s front door', () => {
  test.each([
    ['GetOrder with no orderId', '/queries/GetOrder'],
    ['GetOrder with an orderId too long for a DynamoDB key', `/queries/GetOrder?orderId=${'o'.repeat(3000)}`],
  ])('a query\'s bad parameters are a 400 problem, not a fault: %s', async (_label, path) => {
    const answer = await call('GET', path, 'c-q1');
    expect(answer).toMatchObject({ status: 400, body: { type: 'urn:cdk-cqrs:problem:validation-error' } });
  });

  test('a query\'s bad parameters are a 400 problem, not a fault: GetOrder POSTed with an orderId that is an object', async () => {
    const answer = await call('POST', '/queries/GetOrder', 'c-q1', { body: JSON.stringify({ orderId: { S: 'o-1' } }) });
    expect(answer).toMatchObject({ status: 400, body: { type: 'urn:cdk-cqrs:problem:validation-error' } });
  });

  test('a customer cannot read another customer\'s order by its id (GET /queries/GetOrder): only their own, as with ListOrdersByCustomer', async () => {
    await command('c-vic', '/orders/o-vic/CreateOrder', { customerId: 'c-vic', items, total: 900 });
    await local.settle();
    expect(await call('GET', '/queries/GetOrder?orderId=o-vic', 'c-vic')).toMatchObject({ status: 200, body: { customerId: 'c-vic' } });
    // As for an order that does not exist: nobody learns which ids do. Staff read any.
    expect(await call('GET', '/queries/GetOrder?orderId=o-vic', 'c-mal')).toMatchObject({ status: 200, body: null });
    expect(await call('GET', '/queries/GetOrder?orderId=o-none', 'c-mal')).toMatchObject({ status: 200, body: null });
    expect(await call('GET', '/queries/GetOrder?orderId=o-vic', 's-2', { staff: true })).toMatchObject({ status: 200, body: { customerId: 'c-vic' } });
  });

  test('a customer cannot read another customer\'s order through the exposed projection (GET /orders/{id}/OrdersByCustomer), nor learn from it whose it is', async () => {
    await command('c-vic2', '/orders/o-vic2/CreateOrder', { customerId: 'c-vic2', items, total: 900 });
    await local.settle();
    expect(await call('GET', '/orders/o-vic2/OrdersByCustomer', 'c-vic2')).toMatchObject({ status: 200, body: { view: { customerId: 'c-vic2' } } });
    const snooped = await call('GET', '/orders/o-vic2/OrdersByCustomer', 'c-mal');
    expect(snooped.status).not.toBe(200);
    expect(JSON.stringify(snooped.body)).not.toContain('c-vic2');
  });

  test.each([
    ['with If-None-Match: *', { 'if-none-match': '*' }],
    ['without a condition', {}],
  ])('identical creations sent in parallel with one Idempotency-Key (%s): one write, and every caller gets its answer', async (label, condition) => {
    const id = `c-twin-${label.length}`;
    const answers = await Promise.all(Array.from({ length: 6 }, () => command(id, `/customers/${id}/RegisterCustomer`, { email: 'twin@example.com', name: 'Twin' }, { 'idempotency-key': 'k-twin', ...condition })));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({ status: 201, etag: '"1"', body: { version: 1, events: [{ type: 'CustomerRegistered' }] } });
    // One write: the customer is at version 1.
    expect(await command(id, `/customers/${id}/UpdateEmail`, { email: 'twin@work.example' }, { 'if-match': '"1"' })).toMatchObject({ status: 200, etag: '"2"' });
  });

  test('a Cognito group whose name holds a comma ("staff,interns") is not the group staff: its members may not ship', async () => {
    await command('c-ord', '/orders/o-comma/CreateOrder', { customerId: 'c-ord', items, total: 900 });
    // Cognito group names may hold any punctuation but no space; API Gateway writes the list as `[staff,interns]`.
    const intern = `Bearer ${await local.tokenFor({ sub: 'u-intern', claims: { 'cognito:groups': ['staff,interns'] } })}`;
    const shipped = await call('POST', '/orders/o-comma/ShipOrder', null, { body: JSON.stringify({ trackingNumber: 'T-1' }), headers: { authorization: intern } });
    expect(shipped).toMatchObject({ status: 422, body: { detail: 'Only staff may ship an order' } });
  });
});
