// `npm run demo`: the example app (bin/app.ts) run end to end on this machine, on DynamoDB Local,
// with the very bundles `cdk synth` builds, driven over its HTTP API as a browser would (each
// request and answer printed). Prints a trace of each step; stops all it started.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { LocalApp } from 'cdk-cqrs/testing';
import { ShopStack } from '../bin/app';
import type { CustomerView } from '../bin/domain/customer-view';
import type { OrderSummary } from '../bin/domain/orders-by-customer';
import { demoHttpClient, type DemoAnswer } from './demo-http';
import { startDynamoDbLocal, stopDynamoDbLocal, type RunningDynamoDbLocal } from '../test/helpers/shared-dynamodb-local';

export interface DemoResult {
  readonly rejected: { readonly name: string; readonly message: string }[];
  readonly readYourWrites: { readonly withSession?: CustomerView; readonly withoutSession?: CustomerView };
  readonly customer?: CustomerView;
  readonly orders: { readonly orderId: string; readonly status: string; readonly total: number; readonly trackingNumber?: string }[];
  readonly pendingOrdersFromQueryFunction: unknown;
  /** The SQL order view (CqrsSqlReadModel): Ann's orders with her name and email, and revenue per customer. */
  readonly sqlOrderView: { readonly orders: unknown; readonly revenue: unknown };
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

    step(`Serve the app's HTTP API (CqrsHttpApi, Cognito JWTs) on ${local.httpUrl()}: real JWT checks, with tokens of a key pair made for this run`);
    const http = demoHttpClient(local, print);
    const ann = { name: 'Ann\'s token (sub c-ann)', token: await local.tokenFor({ sub: 'c-ann' }) };
    const bob = { name: 'Bob\'s token (sub c-bob)', token: await local.tokenFor({ sub: 'c-bob' }) };
    const staff = { name: 'a staff token (group staff)', token: await local.tokenFor({ sub: 'staff-1', claims: { 'cognito:groups': ['staff'] } }) };
    const rejected: DemoResult['rejected'] = [];
    const expectProblem = async (request: Promise<DemoAnswer>) => {
      const answer = await request;
      if (answer.status < 400) throw new Error(`the demo expected a problem, and got ${answer.status}`);
      const kind = String(answer.body.type).replace('urn:cdk-cqrs:problem:', '');
      print(`   ↳ ${answer.status} ${kind}: ${String(answer.body.detail)}`);
      rejected.push({ name: kind, message: String(answer.body.detail) });
    };

    step('Customer: Ann registers (If-None-Match: *, a creation); registering her again is refused; no token is a 401');
    await http.post('/customers/c-ann/RegisterCustomer', ann, { email: 'ann@example.com', name: 'Ann' }, { 'if-none-match': '*', 'idempotency-key': 'ann-signup' });
    await expectProblem(http.post('/customers/c-ann/RegisterCustomer', ann, { email: 'ann@example.org', name: 'Ann' }));
    await http.post('/customers/c-ann/RegisterCustomer', undefined, { email: 'ann@example.com', name: 'Ann' });

    step('Customer: two tabs change Ann\'s email, both with If-Match: "1" (the ETag they read); the second conflicts');
    await http.post('/customers/c-ann/UpdateEmail', ann, { email: 'ann@shop.example' }, { 'if-match': '"1"' });
    await expectProblem(http.post('/customers/c-ann/UpdateEmail', ann, { email: 'ann@other.example' }, { 'if-match': '"1"' }));

    step('Read your writes: the projector has not run yet; Ann sees her own writes, Bob does not');
    const ownRead = await http.get('/customers/c-ann/CustomerView', ann);
    const othersRead = await http.get('/customers/c-ann/CustomerView', bob);
    const readYourWrites = { withSession: ownRead.body.view as CustomerView | undefined, withoutSession: othersRead.body.view as CustomerView | undefined };

    step('Order: three orders for Ann; staff ship one, Ann cancels one; a wrong total, and Bob cancelling Ann\'s order, are refused');
    const items = [{ sku: 'tea', quantity: 2, unitPrice: 450 }, { sku: 'cup', quantity: 1, unitPrice: 1200 }];
    await http.post('/orders/o-1/CreateOrder', ann, { customerId: 'c-ann', items, total: 2100 }, { 'if-none-match': '*' });
    await http.post('/orders/o-2/CreateOrder', ann, { customerId: 'c-ann', items: items.slice(0, 1), total: 900 }, { 'if-none-match': '*' });
    await http.post('/orders/o-3/CreateOrder', ann, { customerId: 'c-ann', items: items.slice(1), total: 1200 }, { 'if-none-match': '*' });
    await expectProblem(http.post('/orders/o-4/CreateOrder', ann, { customerId: 'c-ann', items, total: 999 }));
    await http.post('/orders/o-1/ShipOrder', staff, { trackingNumber: 'TRK-1' });
    await expectProblem(http.post('/orders/o-3/CancelOrder', bob, { reason: 'mischief' }));
    await http.post('/orders/o-2/CancelOrder', ann, { reason: 'changed my mind' });

    step('Deliver: streams → publishers → bus rules (the synthesized event patterns) → queues → projectors');
    await local.settle();
    print('   the late copies changed nothing: a document keeps the version of the last event applied, and a copy at or below it is skipped');

    step('Read the read model over HTTP');
    const customerNow = (await http.get('/customers/c-ann/CustomerView', ann)).body.view as CustomerView | undefined;
    print(`   CustomerView c-ann: ${JSON.stringify(customerNow)}`);
    const orderList = [];
    for (const orderId of ['o-1', 'o-2', 'o-3', 'o-4']) {
      const view = (await http.get(`/orders/${orderId}/OrdersByCustomer`, ann)).body.view as OrderSummary | undefined;
      print(`   OrdersByCustomer ${orderId}: ${JSON.stringify(view)}`);
      if (view) orderList.push({ orderId, status: view.status, total: view.total, trackingNumber: view.trackingNumber });
    }
    const pendingOrdersFromQueryFunction = (await http.get('/queries/ListOrdersByCustomer?customerId=c-ann&status=PENDING', ann)).body;
    print(`   query function, Ann's pending orders: ${JSON.stringify(pendingOrdersFromQueryFunction)}`);

    step('The SQL order view (CqrsSqlReadModel: PostgreSQL, here PGlite through a local RDS Data API): each order with its customer\'s current name and email');
    const sqlQuery = (type: string, params: Record<string, unknown>) => local!.cloud.invoke('Reports/QueryHandler', { type, params });
    const sqlOrders = await sqlQuery('ListOrders', { customerId: 'c-ann', limit: 10 });
    for (const row of (sqlOrders as { orders: Record<string, unknown>[] }).orders) {
      print(`   ${String(row.order_id)}: ${String(row.status)}, ${String(row.total_cents)} cents, ${String(row.item_count)} items, for ${String(row.customer_name)} <${String(row.customer_email)}>`);
    }
    const revenue = await sqlQuery('RevenueByCustomer', { limit: 5 });
    print(`   revenue per customer (a join of both aggregates, orders not cancelled): ${JSON.stringify(revenue)}`);
    return {
      rejected, readYourWrites, customer: customerNow, orders: orderList, pendingOrdersFromQueryFunction, sqlOrderView: { orders: sqlOrders, revenue },
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
