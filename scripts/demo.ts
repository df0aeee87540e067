// `npm run demo`: the example app (bin/app.ts) run end to end on this machine, on DynamoDB Local,
// with the very bundles `cdk synth` builds. Prints a trace of each step; stops all it started.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { LocalApp } from 'cdk-cqrs/testing';
import { ShopStack } from '../bin/app';
import type customer from '../bin/domain/customer';
import customerView, { type CustomerView } from '../bin/domain/customer-view';
import type order from '../bin/domain/order';
import ordersByCustomer from '../bin/domain/orders-by-customer';
import { startDynamoDbLocal, stopDynamoDbLocal, type RunningDynamoDbLocal } from '../test/helpers/shared-dynamodb-local';

export interface DemoResult {
  readonly rejected: { readonly name: string; readonly message: string }[];
  readonly readYourWrites: { readonly withSession?: CustomerView; readonly withoutSession?: CustomerView };
  readonly customer?: CustomerView;
  readonly orders: { readonly orderId: string; readonly status: string; readonly total: number; readonly trackingNumber?: string }[];
  readonly pendingOrdersFromQueryFunction: unknown;
  /** Process ids this run started; all have exited when runDemo returns. */
  readonly startedProcessIds: number[];
}

/** Runs the demo; `print` receives each line of the trace. */
export async function runDemo(print: (line: string) => void = console.log): Promise<DemoResult> {
  const started = Date.now();
  const step = (title: string) => print(`\n── ${title}`);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-demo-'));
  let dynamoDbLocal: RunningDynamoDbLocal | undefined;
  let local: LocalApp | undefined;
  try {
    step('Synthesize the example app (bin/app.ts): templates and Lambda bundles, as for `cdk deploy`');
    const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
    new ShopStack(app, 'CdkCqrsExample');
    const assembly = app.synth();
    step('Start DynamoDB Local, then the app: its tables, its functions (one worker each), its rules and queues');
    dynamoDbLocal = await startDynamoDbLocal();
    // Every third event is delivered twice, as EventBridge and SQS may: the projectors must skip the copies.
    local = await LocalApp.start({ assembly, dynamoDbEndpoint: dynamoDbLocal.endpoint, trace: print, duplicateDeliveryEvery: 3 });
    const { topology } = local.cloud;
    print(`   DynamoDB Local on ${dynamoDbLocal.endpoint}; ${topology.functions.length} functions, ${topology.rules.length} rules, ${topology.queues.length} queues`);

    const customers = local.commands<typeof customer>('Customer');
    const orders = local.commands<typeof order>('Order');
    const rejected: DemoResult['rejected'] = [];
    const expectRejection = async (send: () => Promise<unknown>) => {
      try {
        await send();
        throw new Error('the demo expected this command to be rejected');
      } catch (error) {
        if (!(error instanceof Error) || !['DomainError', 'ConcurrencyError', 'ValidationError'].includes(error.name)) throw error;
        print(`   ↳ the caller gets a typed ${error.name}: ${error.message}`);
        rejected.push({ name: error.name, message: error.message });
      }
    };

    step('Customer: Ann registers in session s-ann; registering her again is refused');
    await customers.send({ type: 'RegisterCustomer', aggregateId: 'c-ann', payload: { email: 'ann@example.com', name: 'Ann' }, sessionId: 's-ann' });
    await expectRejection(() => customers.send({ type: 'RegisterCustomer', aggregateId: 'c-ann', payload: { email: 'ann@example.org', name: 'Ann' } }));

    step('Customer: two tabs change Ann\'s email, both having read version 1; the second conflicts');
    await customers.send({ type: 'UpdateEmail', aggregateId: 'c-ann', payload: { email: 'ann@shop.example' }, expectedVersion: 1, sessionId: 's-ann' });
    await expectRejection(() => customers.send({ type: 'UpdateEmail', aggregateId: 'c-ann', payload: { email: 'ann@other.example' }, expectedVersion: 1 }));

    step('Read your writes: the projector has not run yet');
    const customerViews = local.repository(customerView, 'CustomerView', { readYourWritesOf: 'Customer' });
    const readYourWrites = {
      withSession: await customerViews.get('c-ann', { sessionId: 's-ann' }),
      withoutSession: await customerViews.get('c-ann'),
    };
    print(`   session s-ann reads ${JSON.stringify(readYourWrites.withSession)}`);
    print(`   a read without the session reads ${JSON.stringify(readYourWrites.withoutSession)} (the read model is not there yet)`);

    step('Order: three orders for Ann; one is shipped, one cancelled; an order whose total is wrong is refused');
    const items = [{ sku: 'tea', quantity: 2, unitPrice: 450 }, { sku: 'cup', quantity: 1, unitPrice: 1200 }];
    await orders.send({ type: 'CreateOrder', aggregateId: 'o-1', payload: { customerId: 'c-ann', items, total: 2100 } });
    await orders.send({ type: 'CreateOrder', aggregateId: 'o-2', payload: { customerId: 'c-ann', items: items.slice(0, 1), total: 900 } });
    await orders.send({ type: 'CreateOrder', aggregateId: 'o-3', payload: { customerId: 'c-ann', items: items.slice(1), total: 1200 } });
    await expectRejection(() => orders.send({ type: 'CreateOrder', aggregateId: 'o-4', payload: { customerId: 'c-ann', items, total: 999 } }));
    await orders.send({ type: 'ShipOrder', aggregateId: 'o-1', payload: { trackingNumber: 'TRK-1' } });
    await orders.send({ type: 'CancelOrder', aggregateId: 'o-2', payload: { reason: 'changed my mind' } });

    step('Deliver: streams → publishers → bus rules (the synthesized event patterns) → queues → projectors');
    await local.settle();
    print('   the late copies changed nothing: a document keeps the version of the last event applied, and a copy at or below it is skipped');

    step('Read the read model');
    const customerNow = await customerViews.get('c-ann');
    print(`   CustomerView c-ann: ${JSON.stringify(customerNow)}`);
    const orderViews = local.repository(ordersByCustomer, 'OrdersByCustomer');
    const orderList = [];
    for (const orderId of ['o-1', 'o-2', 'o-3', 'o-4']) {
      const view = await orderViews.get(orderId);
      print(`   OrdersByCustomer ${orderId}: ${JSON.stringify(view)}`);
      if (view) orderList.push({ orderId, status: view.status, total: view.total, trackingNumber: view.trackingNumber });
    }
    const pendingOrdersFromQueryFunction = await local.cloud.invoke('Orders/QueryHandler', { type: 'ListOrdersByCustomer', params: { customerId: 'c-ann', status: 'PENDING' } });
    print(`   query function, Ann's pending orders: ${JSON.stringify(pendingOrdersFromQueryFunction)}`);
    return {
      rejected, readYourWrites, customer: customerNow, orders: orderList, pendingOrdersFromQueryFunction,
      startedProcessIds: dynamoDbLocal.process.pid === undefined ? [] : [dynamoDbLocal.process.pid],
    };
  } finally {
    step('Stop everything this run started');
    await local?.stop();
    if (dynamoDbLocal) await stopDynamoDbLocal(dynamoDbLocal);
    fs.rmSync(outdir, { recursive: true, force: true });
    print(`   done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  runDemo().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
