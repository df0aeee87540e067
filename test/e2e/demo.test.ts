import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { runDemo, type DemoResult } from '../../scripts/demo';

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm run demo', () => {
  let lines: string[];
  let result: DemoResult;

  beforeAll(async () => {
    lines = [];
    result = await runDemo((line) => lines.push(line));
  }, 120_000);

  test('over HTTP, refuses a second registration, a stale If-Match, a wrong order total and another customer\'s cancel, each with its problem', () => {
    expect(result.rejected.map((r) => r.name)).toEqual(['domain-error', 'concurrency-error', 'domain-error', 'domain-error']);
    expect(result.rejected[1].message).toContain('is at version 2; the command expected 1');
    expect(result.rejected[2].message).toContain('does not match its items');
    expect(result.rejected[3].message).toBe('Only the customer who placed this order may cancel it');
  });

  test('shows the caller their own writes before the projector ran, and nothing to another caller', () => {
    expect(result.readYourWrites.withSession).toEqual({ email: 'ann@shop.example', name: 'Ann', status: 'ACTIVE' });
    expect(result.readYourWrites.withoutSession).toBeUndefined();
  });

  test('projects every accepted command into the read model, and nothing of the refused ones', () => {
    expect(result.customer).toEqual({ email: 'ann@shop.example', name: 'Ann', status: 'ACTIVE' });
    expect(result.orders).toEqual([
      { orderId: 'o-1', status: 'SHIPPED', total: 2100, trackingNumber: 'TRK-1' },
      { orderId: 'o-2', status: 'CANCELLED', total: 900, trackingNumber: undefined },
      { orderId: 'o-3', status: 'PENDING', total: 1200, trackingNumber: undefined },
    ]);
    expect(result.pendingOrdersFromQueryFunction).toEqual({ orders: [expect.objectContaining({ orderId: 'o-3', status: 'PENDING' })] });
  });

  test('shows the SQL order view: Ann\'s orders with her current email, and revenue per customer (orders not cancelled)', () => {
    const { orders } = result.sqlOrderView.orders as { orders: Record<string, unknown>[] };
    expect(orders.map((o) => [o.order_id, o.status, o.total_cents, o.customer_name, o.customer_email]).sort()).toEqual([
      ['o-1', 'SHIPPED', 2100, 'Ann', 'ann@shop.example'],
      ['o-2', 'CANCELLED', 900, 'Ann', 'ann@shop.example'],
      ['o-3', 'PENDING', 1200, 'Ann', 'ann@shop.example'],
    ]);
    expect(result.sqlOrderView.revenue).toEqual([{ customer_id: 'c-ann', name: 'Ann', email: 'ann@shop.example', orders: 2, revenue_cents: 3300 }]);
  });

  test('traces the commands, the routing by the synthesized rules and the projector batches', () => {
    const trace = lines.join('\n');
    expect(trace).toContain('▶ Customers/CommandHandler: HTTP POST /customers/c-ann/RegisterCustomer ✔ 201 v1 [CustomerRegistered]');
    // A request without a token never reaches a function.
    expect(trace).toContain('⇄ http: POST /customers/c-ann/RegisterCustomer → 401 (POST /customers/{aggregateId}/{commandType}), nothing invoked');
    expect(trace).toContain('⇢ bus: OrderShipped o-1 v2 → Orders/OrdersByCustomer/Rule');
    expect(trace).toMatch(/▶ Orders\/OrdersByCustomer: 5 queue messages ✔ all done/);
  });

  test('delivers some events twice, the copy after the original was applied, and the read model is still exact', () => {
    const trace = lines.join('\n');
    expect(trace).toContain('⇢ bus: OrderShipped o-1 v2 → Orders/OrdersByCustomer/Rule, Reports/OrderView/OrderRule (and again 1 s later: at-least-once delivery)');
    // The clock runs with the wall clock between jumps, so a slow machine may have spent part of the
    // second already: the jump is shown as +1 s or +0 s, and the two copies, sent a moment apart, may
    // become visible in one poll or in two. What matters: after the jump, both copies are delivered.
    const afterJump = /⏱ {2}clock \+[01] s[^\n]*\n((?:▶ (?:Orders\/OrdersByCustomer|Reports\/OrderView): \d+ queue messages? ✔ all done\n)+)/.exec(`${trace}\n`);
    expect(afterJump).not.toBeNull();
    const delivered = (projector: string) => [...afterJump![1].matchAll(new RegExp(`${projector}: (\\d+) queue messages?`, 'g'))].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(delivered('Orders/OrdersByCustomer')).toBe(2);
    expect(delivered('Reports/OrderView')).toBe(2);
    // The read-model assertions above hold with the copies delivered.
  });

  test('stops DynamoDB Local when it is done', () => {
    expect(result.startedProcessIds.length).toBe(1);
    expect(result.startedProcessIds.filter(isRunning)).toEqual([]);
  });

  test('exits 0 on its own (nothing it started keeps the process alive) and prints the trace', () => {
    const root = path.join(__dirname, '..', '..');
    const run = spawnSync(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(root, 'scripts', 'demo.ts')], {
      cwd: root, encoding: 'utf8', timeout: 90_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('── Stop everything this run started');
    expect(run.stdout).toMatch(/CustomerView c-ann: \{.*"email":"ann@shop\.example".*\}/);
  }, 120_000);
});
