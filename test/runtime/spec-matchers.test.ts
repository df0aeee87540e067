import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectionSpecFor, specFor, SpecFailure } from 'cdk-cqrs/testing';
import { customer } from '../helpers/test-aggregates';
import { ledgerView } from '../helpers/test-projections';

const opened = { type: 'Opened', data: { owner: 'ann' } } as const;
const deposited = (amount: number) => ({ type: 'Deposited', data: { amount } }) as const;

describe('specs take the test runner\'s asymmetric matchers', () => {
  test('a view matches objectContaining, any, arrayContaining and stringMatching where they accept it', () => {
    projectionSpecFor(ledgerView).given([opened, deposited(5)]).then(expect.objectContaining({ balance: 5 }));
    projectionSpecFor(ledgerView).given([opened, deposited(5)])
      .then({ owner: expect.any(String), balance: 5, trail: expect.arrayContaining([2]), openedAt: expect.stringMatching(/^2026-01-01T/) });
  });

  test('a matcher that does not accept its value fails, and the diff shows only that value', () => {
    const failure = () => projectionSpecFor(ledgerView).given([opened, deposited(5)])
      .then({ owner: expect.any(Number), balance: 5, trail: [1, 2], openedAt: expect.any(String) });
    expect(failure).toThrow(SpecFailure);
    expect(failure).toThrow(/\+\s+owner: 'ann'/);
    // What matched is not in the diff as a difference.
    expect(failure).not.toThrow(/[+-]\s+(balance|trail|openedAt)/);
  });

  test('matchers do not loosen the rest: a missing key, an extra key, another value still fail', () => {
    const spec = () => projectionSpecFor(ledgerView).given([opened, deposited(5)]);
    expect(() => spec().then({ owner: expect.anything(), balance: 5, trail: [1, 2] } as never)).toThrow(/-?\s*\+\s+openedAt/);
    expect(() => spec().then({ owner: expect.anything(), balance: 6, trail: [1, 2], openedAt: expect.any(String) })).toThrow(/\+\s+balance: 5/);
    expect(() => spec().then({ owner: 'ann', balance: 5, trail: [1, expect.any(Number), 3], openedAt: expect.any(String) })).toThrow(SpecFailure);
  });

  test('events match matchers too', async () => {
    await specFor(customer).given([{ type: 'CustomerRegistered', data: { email: 'ann@example.com', name: 'Ann' } }])
      .when({ type: 'SuspendCustomer', payload: { reason: 'late' } })
      .then([{ type: 'CustomerSuspended', data: expect.objectContaining({ reason: expect.stringContaining('lat') }) }]);
    await expect(specFor(customer).given([{ type: 'CustomerRegistered', data: { email: 'ann@example.com', name: 'Ann' } }])
      .when({ type: 'SuspendCustomer', payload: { reason: 'late' } })
      .then([{ type: 'CustomerSuspended', data: expect.objectContaining({ reason: 'early' }) }])).rejects.toThrow(SpecFailure);
  });
});

test('under jest, a failing spec prints its own diff, without "Compared values have no visual difference"', () => {
  // GIVEN a user's test file with a failing spec, on the built package (npm test builds it first)
  const built = path.join(__dirname, '..', '..', 'lambda');
  if (!fs.existsSync(path.join(built, 'testing', 'index.js'))) throw new Error('lambda/ is not built: run `npm test` (or `npm run build:lambda`) first.');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-under-jest-'));
  fs.writeFileSync(path.join(dir, 'view.test.js'), `
const { defineAggregate, defineProjection } = require(${JSON.stringify(path.join(built, 'index.js'))});
const { projectionSpecFor } = require(${JSON.stringify(path.join(built, 'testing', 'index.js'))});
const counter = defineAggregate({ initialState: () => ({}), commands: { Add: (cmd) => [{ type: 'Added', data: cmd }] }, events: { Added: (s) => s } });
const view = defineProjection(counter, { events: { Added: (v, e) => ({ total: (v ? v.total : 0) + e.data.by }) } });
test('adds', () => projectionSpecFor(view).given([{ type: 'Added', data: { by: 2 } }]).then({ total: 3 }));
`);
  // WHEN jest runs it
  const jest = path.join(__dirname, '..', '..', 'node_modules', 'jest', 'bin', 'jest.js');
  const result = spawnSync(process.execPath, [jest, '--ci', '--rootDir', dir, '--config', '{}'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  // THEN
  const output = result.stdout + result.stderr;
  expect(result.status).toBe(1);
  expect(output).toMatch(/SpecFailure: Given Added:\s+the view differs from the one expected:/);
  expect(output).toMatch(/\+\s+total: 2\s+-\s+total: 3/);
  expect(output).not.toMatch(/no visual difference/);
}, 60_000);
