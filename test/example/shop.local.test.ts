import { App } from 'aws-cdk-lib';
import { LocalApp } from 'cdk-cqrs/testing';
import { ShopStack } from '../../bin/app';
import type customer from '../../bin/domain/customer';
import customerView from '../../bin/domain/customer-view';
import type order from '../../bin/domain/order';
import type orderQueries from '../../bin/domain/order-queries';
import { UnknownQuery } from 'cdk-cqrs/runtime';
import ordersByCustomer from '../../bin/domain/orders-by-customer';

// The example app as it deploys, run with cdk-cqrs/testing's LocalApp on the test run's DynamoDB Local.
let local: LocalApp;

beforeAll(async () => {
  const app = () => {
    const built = new App();
    new ShopStack(built, 'Shop');
    return built;
  };
  local = await LocalApp.start({ app, dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT });
}, 120_000);

afterAll(() => local?.stop());

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
