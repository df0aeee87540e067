// `npm run bench -- http`: what the HTTP API adds to a command. The example app runs locally
// (LocalApp: the synthesized bundles, DynamoDB Local); the same kind of command (a creation of an
// order by its customer) goes to the Order command function by a direct invoke and over the local
// HTTP API (a real HTTP request, its JWT verified, the payload 2.0 event, the HTTP answer),
// interleaved (A, B, A, B ...), and the p50s are compared. Locally the HTTP side pays what API
// Gateway's own hop replaces in AWS (a loopback request and a signature check), so the ratio is
// an upper bound for the part our code adds.
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import { App } from 'aws-cdk-lib';
import { LocalApp } from 'cdk-cqrs/testing';
import { ShopStack } from '../bin/app';
import type order from '../bin/domain/order';
import { judged, median, percentile } from './bench-stats';

const COMMANDS = 150;
const ROUNDS = 3;
const CUSTOMER = 'c-bench';
const items = [{ sku: 'tea', quantity: 2, unitPrice: 450 }];

/** Prints the HTTP figures; DynamoDB Local must be running (DYNAMODB_ENDPOINT). */
export async function benchHttp(): Promise<void> {
  const local = await LocalApp.start({ app: () => { const app = new App(); new ShopStack(app, 'Shop'); return app; }, dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT });
  try {
    const orders = local.commands<typeof order>('Order');
    const token = await local.tokenFor({ sub: CUSTOMER });
    const url = local.httpUrl();
    const direct = (orderId: string) => orders.send({
      type: 'CreateOrder', aggregateId: orderId, expectedVersion: 0, payload: { customerId: CUSTOMER, items, total: 900 }, caller: { subject: CUSTOMER, claims: { sub: CUSTOMER } },
    });
    // node:http with a kept-alive connection, as a server-side caller (or API Gateway) holds one:
    // fetch's client costs 0.45 ms a request on loopback here against 0.11 ms, which is the
    // client's, not the API's.
    const agent = new http.Agent({ keepAlive: true });
    const overHttp = (orderId: string) => new Promise<void>((resolve, reject) => {
      const request = http.request(`${url}/orders/${orderId}/CreateOrder`, {
        method: 'POST', agent,
        headers: { 'authorization': `Bearer ${token}`, 'content-type': 'application/json', 'if-none-match': '*' },
      }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => (response.statusCode === 201 ? resolve() : reject(new Error(`the HTTP command answered ${response.statusCode}: ${Buffer.concat(chunks).toString()}`))));
      });
      request.on('error', reject);
      request.end(JSON.stringify({ customerId: CUSTOMER, items, total: 900 }));
    });
    // Warm-up, not counted: each path's first request (the function's cold start, the HTTP agent, the issuer's worker).
    await direct('o-warm-direct');
    await overHttp('o-warm-http');
    const timed = async (send: () => Promise<unknown>, into: number[]) => {
      const started = performance.now();
      await send();
      into.push(performance.now() - started);
    };
    const ratios: number[] = [];
    const all = { direct: [] as number[], http: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const d: number[] = [];
      const h: number[] = [];
      for (let i = 0; i < COMMANDS; i++) {
        await timed(() => direct(`o-d-${round}-${i}`), d);
        await timed(() => overHttp(`o-h-${round}-${i}`), h);
      }
      [d, h].forEach((list) => list.sort((x, y) => x - y));
      ratios.push(percentile(h, 0.5) / percentile(d, 0.5));
      all.direct.push(...d);
      all.http.push(...h);
    }
    [all.direct, all.http].forEach((list) => list.sort((x, y) => x - y));
    const ratio = median(ratios);
    console.log(`HTTP API: a creation (CreateOrder, If-None-Match: *) over the local HTTP API vs a direct invoke of the same function, ${COMMANDS} each x ${ROUNDS} interleaved rounds:`);
    console.log(`  p50 ratio, HTTP/direct ${ratio.toFixed(2).padStart(6)}x ${judged(Number(ratio.toFixed(2)), { atMost: 1.2 })}   (median of the rounds' ratios; p50 ${percentile(all.http, 0.5).toFixed(2)} vs ${percentile(all.direct, 0.5).toFixed(2)} ms, p95 ${percentile(all.http, 0.95).toFixed(2)} vs ${percentile(all.direct, 0.95).toFixed(2)} ms)`);
    agent.destroy();
  } finally {
    await local.stop();
  }
}
