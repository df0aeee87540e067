import { Repository, isValidationError } from 'cdk-cqrs/runtime';
import customerView from '../../bin/domain/customer-view';
import ordersByCustomer, { type OrderSummary } from '../../bin/domain/orders-by-customer';
import { eraseProjection } from '../../lambda/projection/define-projection';
import type { EventEnvelope } from '../../lambda/shared/envelope';
import { projectMessages } from '../../lambda/projection/project-messages';
import { envelopes, queueMessage } from '../helpers/queue-messages';
import { createReadModelTable, type ReadModelTable } from '../helpers/create-read-model-table';

let readModel: ReadModelTable;
let orders: Repository<typeof ordersByCustomer.aggregate, OrderSummary>;
const ORDERS = 57;

const project = async (projection: { readonly definitionKind: 'projection' }, projectionName: string, events: readonly EventEnvelope[]) => {
  const deps = { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: 'unused: no gaps here', projectionName };
  for (let i = 0; i < events.length; i += 10) {
    const { batchItemFailures } = await projectMessages(eraseProjection(projection), events.slice(i, i + 10).map((e) => queueMessage(e)), deps);
    expect(batchItemFailures).toEqual([]);
  }
};

beforeAll(async () => {
  readModel = await createReadModelTable('repository', ['byCustomer']);
  orders = new Repository(ordersByCustomer, { tableName: readModel.tableName, projectionName: 'OrdersByCustomer', dynamoDb: readModel.doc });
  // 57 orders of c-1 (every third shipped, else every fifth cancelled, the rest pending) and 3 of c-2
  const events = Array.from({ length: ORDERS + 3 }, (_, i) => {
    const created = envelopes('Order', `o-${String(i).padStart(2, '0')}`, [{ type: 'OrderCreated', data: { customerId: i < ORDERS ? 'c-1' : 'c-2', items: [], total: 100 + i } }]);
    const next = i % 3 === 0 ? [{ type: 'OrderShipped', data: { trackingNumber: `t-${i}` } }] : i % 5 === 0 ? [{ type: 'OrderCancelled', data: { reason: 'r' } }] : [];
    return [...created, ...envelopes('Order', created[0].aggregateId, next, 2)];
  }).flat();
  await project(ordersByCustomer, 'OrdersByCustomer', events);
  await project(customerView, 'CustomerView', envelopes('Customer', 'c-1', [
    { type: 'CustomerRegistered', data: { email: 'ann@example.com', name: 'Ann' } }, { type: 'CustomerSuspended', data: { reason: 'fraud' } },
  ]));
});
afterAll(async () => { await readModel.drop(); });

const readAll = async (options: Omit<Parameters<typeof orders.query>[0], 'cursor'>) => {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await orders.query({ ...options, cursor });
    expect(page.items.length).toBeLessThanOrEqual(options.limit ?? Infinity);
    pages.push(page.items.map((item) => item.aggregateId));
    cursor = page.cursor;
  } while (cursor);
  return pages;
};

describe('Repository', () => {
  test('gets one view by aggregate id', async () => {
    const customers = new Repository(customerView, { tableName: readModel.tableName, projectionName: 'CustomerView', dynamoDb: readModel.doc });
    expect(await customers.get('c-1', { consistentRead: true })).toEqual({ email: 'ann@example.com', name: 'Ann', status: 'SUSPENDED' });
    expect(await customers.get('nobody')).toBeUndefined();
    expect(await orders.get('o-03')).toMatchObject({ customerId: 'c-1', status: 'SHIPPED', trackingNumber: 't-3', total: 103 });
  });

  test('pages through a customer\'s orders: every order exactly once, in sort key order', async () => {
    const pages = await readAll({ index: 'byCustomer', partition: 'c-1', limit: 10 });
    const ids = pages.flat();
    expect(ids).toHaveLength(ORDERS);
    expect(new Set(ids).size).toBe(ORDERS);
    expect(pages.length).toBeGreaterThanOrEqual(6);
    const newestFirst = (await readAll({ index: 'byCustomer', partition: 'c-1', limit: 10, newestFirst: true })).flat();
    expect(newestFirst).toEqual([...ids].reverse());
  });

  test('reads one status of a customer, newest first, with begins_with on the sort key', async () => {
    const pending = Array.from({ length: ORDERS }, (_, i) => i).filter((i) => i % 3 !== 0 && i % 5 !== 0);
    const ids = (await readAll({ index: 'byCustomer', partition: 'c-1', limit: 10, sortBeginsWith: 'PENDING#', newestFirst: true })).flat();
    expect(ids).toEqual(pending.reverse().map((i) => `o-${String(i).padStart(2, '0')}`));
  });

  test('filters on view fields; a page may then hold fewer than limit items', async () => {
    const pages = await readAll({ index: 'byCustomer', partition: 'c-1', limit: 10, filter: { total: 103 } });
    expect(pages.flat()).toEqual(['o-03']);
    expect(pages.length).toBeGreaterThan(1);
  });

  test('returns the version and view of each document', async () => {
    const page = await orders.query({ index: 'byCustomer', partition: 'c-2' });
    expect(page.cursor).toBeUndefined();
    expect(page.items.map((i) => [i.aggregateId, i.version, i.view.status])).toEqual([['o-58', 1, 'PENDING'], ['o-59', 1, 'PENDING'], ['o-57', 2, 'SHIPPED']]);
  });

  test('fails with a ValidationError on a cursor it did not return', async () => {
    const first = await orders.query({ index: 'byCustomer', partition: 'c-1', limit: 10 });
    const other = Buffer.from(JSON.stringify({ pk: 'x', sk: 'y', byCustomer_pk: 'c-2', byCustomer_sk: 'z' })).toString('base64url');
    for (const cursor of ['not a cursor', Buffer.from('[1]').toString('base64url'), Buffer.from('{"pk":"x"}').toString('base64url'), other]) {
      const error = await orders.query({ index: 'byCustomer', partition: 'c-1', cursor }).catch((err: unknown) => err);
      expect(isValidationError(error)).toBe(true);
    }
    await expect(orders.query({ index: 'byCustomer', partition: 'c-2', cursor: first.cursor })).rejects.toThrow(/another byCustomer_pk/);
  });

  test('fails with a ValidationError on an index the projection does not define', async () => {
    await expect(orders.query({ index: 'byStatus', partition: 'PENDING' })).rejects.toThrow(/no index 'byStatus'. Its indexes: byCustomer/);
  });

  test('fails with a ValidationError, before any request, on an id or a partition no DynamoDB key can hold', async () => {
    for (const id of [undefined, '', 'x'.repeat(2049), '\ud800', { S: 'o-1' }]) {
      expect(isValidationError(await orders.get(id as string).catch((err: unknown) => err))).toBe(true);
      expect(isValidationError(await orders.query({ index: 'byCustomer', partition: id as string }).catch((err: unknown) => err))).toBe(true);
    }
  });

  test('hides deleted documents', async () => {
    // GIVEN an order projected by a projection that deletes cancelled orders
    const deleting = { ...ordersByCustomer, events: { ...ordersByCustomer.events, OrderCancelled: () => null } };
    await project(deleting, 'OpenOrders', envelopes('Order', 'o-gone', [
      { type: 'OrderCreated', data: { customerId: 'c-3', items: [], total: 1 } }, { type: 'OrderCancelled', data: { reason: 'r' } },
    ]));
    const open = new Repository(deleting, { tableName: readModel.tableName, projectionName: 'OpenOrders', dynamoDb: readModel.doc });
    // THEN
    expect(await open.get('o-gone', { consistentRead: true })).toBeUndefined();
    expect((await open.query({ index: 'byCustomer', partition: 'c-3' })).items).toEqual([]);
  });
});
