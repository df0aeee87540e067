import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FunctionHost } from '../../lambda/local/function-host';

const root = path.join(__dirname, '..', '..');
const tempDirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A bundle folder outside the repository, as an asset of a cloud assembly is. */
function bundle(source: string): string {
  const dir = tempDir('cdk-cqrs-bundle-');
  fs.writeFileSync(path.join(dir, 'index.js'), source);
  return dir;
}

/** A handler that answers how often its container was invoked, running `body` first: a new container starts at 1. */
const countingCalls = (...body: string[]) =>
  bundle(['let calls = 0;', 'exports.handler = async (event) => {', '  calls += 1;', ...body, '  return { calls };', '};'].join('\n'));

const host = (codeDirectory: string, environment: Record<string, string> = {}, providedModulesFrom = root, timeoutSeconds = 3) =>
  new FunctionHost({ name: 'Fn', codeDirectory, handler: 'index.handler', timeoutSeconds, environment, providedModulesFrom });

describe('FunctionHost', () => {
  const hosts: FunctionHost[] = [];
  afterAll(() => Promise.all(hosts.map((h) => h.stop())));
  const started = (...args: Parameters<typeof host>) => {
    const made = host(...args);
    hosts.push(made);
    return made;
  };

  test('runs the handler with the function\'s own environment, and keeps module state between invocations', async () => {
    const fn = started(bundle('let calls = 0; exports.handler = async (event) => ({ table: process.env.TABLE, calls: ++calls, echo: event });'), { TABLE: 'orders' });
    expect(await fn.invoke({ a: 1 })).toEqual({ ok: true, result: { table: 'orders', calls: 1, echo: { a: 1 } } });
    expect(await fn.invoke({ a: 2 })).toEqual({ ok: true, result: { table: 'orders', calls: 2, echo: { a: 2 } } });
    expect(process.env.TABLE).toBeUndefined();
  });

  test('warm() loads the bundle (its init runs once) without running the handler', async () => {
    // GIVEN a bundle whose init leaves a mark, and that counts its inits and its calls
    const marker = path.join(tempDir('cdk-cqrs-init-'), 'loaded');
    const fn = started(bundle(`require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x'); globalThis.inits = (globalThis.inits ?? 0) + 1; let calls = 0; exports.handler = async () => ({ inits: globalThis.inits, calls: ++calls });`));
    expect(fs.existsSync(marker)).toBe(false);
    // WHEN
    await fn.warm();
    // THEN the bundle was loaded, and the first invocation finds it loaded once and is the handler's first call
    expect(fs.existsSync(marker)).toBe(true);
    expect(await fn.invoke({})).toEqual({ ok: true, result: { inits: 1, calls: 1 } });
  });

  test('warm() of a bundle that fails to load reports nothing; its first invocation fails, as in Lambda', async () => {
    const fn = started(bundle('throw new Error("init failed");'));
    await expect(fn.warm()).resolves.toBeUndefined();
    expect(await fn.invoke({})).toMatchObject({ ok: false, error: { errorMessage: 'init failed' } });
  });

  test('answers a thrown error as Lambda reports it', async () => {
    const fn = started(bundle('exports.handler = async () => { throw new TypeError("bad input"); };'));
    expect(await fn.invoke({})).toMatchObject({ ok: false, error: { errorType: 'TypeError', errorMessage: 'bad input' } });
  });

  test('takes the AWS SDK, which bundles leave out, from the app, for require() and import()', async () => {
    const fn = started(bundle([
      'const { DynamoDBClient } = require("@aws-sdk/client-dynamodb");',
      'exports.handler = async () => ({ required: typeof DynamoDBClient, imported: typeof (await import("@aws-sdk/lib-dynamodb")).GetCommand });',
    ].join('\n')));
    expect(await fn.invoke({})).toEqual({ ok: true, result: { required: 'function', imported: 'function' } });
  });

  test('fails with a message that names the missing SDK package and the fix', async () => {
    const appWithoutSdk = tempDir('cdk-cqrs-app-');
    const fn = started(bundle('exports.handler = async () => require("@aws-sdk/client-dynamodb") && "loaded";'), {}, appWithoutSdk);
    expect(await fn.invoke({})).toMatchObject({
      ok: false,
      error: { errorMessage: `cdk-cqrs local: @aws-sdk/client-dynamodb is not installed in ${appWithoutSdk}. Lambda provides the AWS SDK; locally it comes from your app: add it to your devDependencies (or set awsSdkFrom).` },
    });
  });

  test('an invocation past the function\'s timeout fails as Lambda reports it, and the next runs in a new container', async () => {
    const fn = started(countingCalls('  if (event.hang) await new Promise(() => undefined);'), {}, root, 1);
    expect(await fn.invoke({})).toEqual({ ok: true, result: { calls: 1 } });
    const hangStarted = Date.now();
    expect(await fn.invoke({ hang: true })).toEqual({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' } });
    expect(Date.now() - hangStarted).toBeGreaterThanOrEqual(1000);
    expect(await fn.invoke({})).toEqual({ ok: true, result: { calls: 1 } });
  });

  test('stop() ends the container, and an invocation queued behind the running one fails instead of starting another', async () => {
    const fn = host(countingCalls('  await new Promise((resolve) => setTimeout(resolve, 200));'));
    const running = fn.invoke({});
    const queued = fn.invoke({});
    await new Promise((resolve) => setTimeout(resolve, 50));

    await fn.stop();

    expect(await running).toMatchObject({ ok: false });
    expect(await queued).toEqual({ ok: false, error: { errorType: 'Error', errorMessage: 'cdk-cqrs local: function Fn was stopped before this invocation ran.' } });
    expect(await fn.invoke({})).toMatchObject({ ok: false, error: { errorMessage: 'cdk-cqrs local: function Fn was stopped before this invocation ran.' } });
  });

  test('a crash fails its invocation, and the next invocation runs in a new container', async () => {
    const fn = started(countingCalls(
      '  if (event.crash) Promise.reject(new Error("nobody awaits this"));',
      '  await new Promise((resolve) => setTimeout(resolve, 50));',
    ));
    expect(await fn.invoke({})).toEqual({ ok: true, result: { calls: 1 } });
    expect(await fn.invoke({ crash: true })).toMatchObject({ ok: false, error: { errorMessage: 'nobody awaits this' } });
    expect(await fn.invoke({})).toEqual({ ok: true, result: { calls: 1 } });
  });
});
