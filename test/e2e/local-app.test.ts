import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { CqrsAggregate } from 'cdk-cqrs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { CommandClient, Repository, UnknownQuery, defineProjection } from 'cdk-cqrs/runtime';
import { LocalApp } from 'cdk-cqrs/testing';
import { LocalCloud, type LocalTrace } from '../../lambda/local/local-cloud';
import { REPO_DYNAMODB_LOCAL_DIR } from '../helpers/shared-dynamodb-local';

// A user's domain, written to a folder of its own so that a test can change a projection's code.
const LEDGER = `
import { defineAggregate } from 'cdk-cqrs/runtime';
export default defineAggregate({
  initialState: () => ({ balance: 0 }),
  commands: {
    Open: (_cmd: { owner: string }) => [{ type: 'Opened', data: _cmd }],
    Deposit: (cmd: { amount: number }) => [{ type: 'Deposited', data: cmd }],
  },
  events: {
    Opened: (state) => state,
    Deposited: (state, data) => ({ balance: state.balance + data.amount }),
  },
});`;
const viewListening = (events: string) => `
import { defineProjection } from 'cdk-cqrs/runtime';
import ledger from './ledger';
const handlers: Record<string, (view: any, e: any) => unknown> = {
  Opened: (_view, e) => ({ owner: e.data.owner, balance: 0, deposits: 0 }),
  // 13 is the poison: this handler throws on it, every time.
  Deposited: (view, e) => {
    if (e.data.amount === 13) throw new Error('unlucky deposit');
    return { ...view, balance: view.balance + e.data.amount, deposits: view.deposits + 1 };
  },
};
export default defineProjection(ledger, { events: Object.fromEntries(${JSON.stringify(events.split(','))}.map((t) => [t, handlers[t]])) as any });`;

const LEDGER_QUERIES = `
import { defineQueries } from 'cdk-cqrs/runtime';
import ledgerView from './ledger-view';
export default defineQueries({
  GetLedger: ({ id, sessionId }: { id: string; sessionId?: string }, { repository }) => repository(ledgerView, 'LedgerView').get(id, { sessionId }),
});`;

interface LedgerView { owner: string; balance: number; deposits: number }
// The projection's code runs in its bundle; the Repository here only reads its documents, so a stand-in typed by the view will do.
const ledgerView = defineProjection<{ readonly definitionKind: 'aggregate' }, LedgerView>({ definitionKind: 'aggregate' }, { events: {} });

const tempDirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};

/** An app with the Ledger aggregate and its projection listening to `events`, not synthesized yet. */
function ledgerApp(events: string): App {
  // A folder per synth: the construct reads a projection's events once per module path and process.
  const domainDir = tempDir('cdk-cqrs-domain-');
  fs.writeFileSync(path.join(domainDir, 'ledger.ts'), LEDGER);
  fs.writeFileSync(path.join(domainDir, 'ledger-view.ts'), viewListening(events));
  fs.writeFileSync(path.join(domainDir, 'ledger-queries.ts'), LEDGER_QUERIES);
  const outdir = tempDir('cdk-cqrs-app-');
  // A plain App, as in a user's test: no aws:cdk:path metadata; construct paths come from tree.json.
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bank');
  new CqrsAggregate(stack, 'Ledgers', {
    aggregateName: 'Ledger',
    entry: path.join(domainDir, 'ledger.ts'),
    projections: [{ projectionName: 'LedgerView', entry: path.join(domainDir, 'ledger-view.ts') }],
    queries: { entry: path.join(domainDir, 'ledger-queries.ts') },
    readYourWrites: {},
  });
  return app;
}

/** Synthesizes the app of `ledgerApp`. */
function synthLedgerApp(events: string): { directory: string; pattern: unknown } {
  const assembly = ledgerApp(events).synth();
  const template = assembly.getStackByName('Bank').template as { Resources: Record<string, { Type: string; Properties: { EventPattern?: unknown } }> };
  const rule = Object.values(template.Resources).find((r) => r.Type === 'AWS::Events::Rule');
  return { directory: assembly.directory, pattern: rule?.Properties.EventPattern };
}

/** Starts the synthesized app on the test run's DynamoDB Local, recording its trace. */
async function startLocal(directory: string): Promise<{ local: LocalCloud; traces: LocalTrace[]; ledgers: CommandClient; views: Repository<unknown, LedgerView> }> {
  const traces: LocalTrace[] = [];
  const local = await LocalCloud.start({ assemblyDirectory: directory, dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT!, onTrace: (t) => traces.push(t) });
  const ledgers = new CommandClient({ functionName: local.commandHandlerName('Ledger'), lambda: local.lambdaClient() });
  const views = new Repository(ledgerView, { tableName: local.readModelTableName('LedgerView'), projectionName: 'LedgerView', dynamoDb: local.documents() });
  return { local, traces, ledgers, views };
}

type LocalLedgerApp = Awaited<ReturnType<typeof startLocal>>;

/** Runs `body` on the synthesized app started locally, and stops the app after, whatever the outcome. */
async function withLocal(directory: string, body: (app: LocalLedgerApp) => Promise<void>): Promise<void> {
  const app = await startLocal(directory);
  try {
    await body(app);
  } finally {
    await app.local.stop();
  }
}

const routedTypes = (traces: readonly LocalTrace[], matched: boolean) => traces.flatMap((t) =>
  (t.kind === 'routed' && (t.routed.matchedRules.length > 0) === matched ? [t.routed.event['detail-type']] : []));

afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a synthesized app, run locally', () => {
  test('routes events by the synthesized rule: a change to the projection\'s events changes what reaches it', async () => {
    // GIVEN the projection listens to Opened and Deposited
    const before = synthLedgerApp('Opened,Deposited');
    expect(before.pattern).toMatchObject({ 'detail-type': ['Deposited', 'Opened'] });
    await withLocal(before.directory, async (first) => {
      // WHEN a ledger is opened and credited
      await first.ledgers.send({ type: 'Open', aggregateId: 'l-1', payload: { owner: 'ann' } });
      await first.ledgers.send({ type: 'Deposit', aggregateId: 'l-1', payload: { amount: 5 } });
      await first.local.settle();
      // THEN both events reach the projection
      expect(routedTypes(first.traces, true)).toEqual(['Opened', 'Deposited']);
      expect(await first.views.get('l-1')).toEqual({ owner: 'ann', balance: 5, deposits: 1 });
    });

    // GIVEN the same projection module, changed to listen to Opened only
    const after = synthLedgerApp('Opened');
    expect(after.pattern).toMatchObject({ 'detail-type': ['Opened'] });
    await withLocal(after.directory, async (second) => {
      await second.ledgers.send({ type: 'Open', aggregateId: 'l-1', payload: { owner: 'ann' } });
      await second.ledgers.send({ type: 'Deposit', aggregateId: 'l-1', payload: { amount: 5 } });
      await second.local.settle();
      // THEN Deposited is published but no rule matches it any more
      expect(routedTypes(second.traces, true)).toEqual(['Opened']);
      expect(routedTypes(second.traces, false)).toEqual(['Deposited']);
      expect(await second.views.get('l-1')).toEqual({ owner: 'ann', balance: 0, deposits: 0 });
    });
  }, 120_000);

  test('retries a failing message after the visibility timeout and moves it to the DLQ after maxReceiveCount, while the rest is projected', async () => {
    const { directory } = synthLedgerApp('Opened,Deposited');
    await withLocal(directory, async ({ local, traces, ledgers, views }) => {
      // GIVEN a deposit the projection cannot apply, next to one it can
      await ledgers.send({ type: 'Open', aggregateId: 'l-poison', payload: { owner: 'bob' } });
      await ledgers.send({ type: 'Deposit', aggregateId: 'l-poison', payload: { amount: 13 } });
      await ledgers.send({ type: 'Open', aggregateId: 'l-fine', payload: { owner: 'cy' } });
      await ledgers.send({ type: 'Deposit', aggregateId: 'l-fine', payload: { amount: 7 } });

      // WHEN everything is delivered
      await local.settle();

      // THEN the poison message was received maxReceiveCount (5) times, each after a visibility
      // timeout; the receive after the fifth timeout moved it to the DLQ instead of delivering it
      const projectorRuns = traces.filter((t) => t.kind === 'invoked' && t.functionName.endsWith('LedgerView/Function'));
      expect(projectorRuns.length).toBe(5);
      expect(traces.filter((t) => t.kind === 'clock').length).toBe(5);
      const deadLetters = local.queueBodies('Ledgers/LedgerView/DeadLetterQueue').map((body) => JSON.parse(body) as { detail: { aggregateId: string; version: number } });
      expect(deadLetters.map((m) => [m.detail.aggregateId, m.detail.version])).toEqual([['l-poison', 2]]);
      expect(await views.get('l-fine')).toEqual({ owner: 'cy', balance: 7, deposits: 1 });
      expect(await views.get('l-poison')).toEqual({ owner: 'bob', balance: 0, deposits: 0 });
    });
  }, 120_000);

  test('fails to find what the app does not have, and says what to change', async () => {
    await withLocal(synthLedgerApp('Opened').directory, async ({ local }) => {
      expect(() => local.commandHandlerName('Account')).toThrow("cdk-cqrs local: the app has no aggregate 'Account'. Its aggregates: Ledger.");
      expect(() => local.readModelTableName('Ledgers')).toThrow("cdk-cqrs local: the app has no projection 'Ledgers'. Its projections: LedgerView.");
      await expect(local.invoke('Nope', {})).rejects.toThrow(/^cdk-cqrs local: 0 functions match 'Nope'. Functions: (\w+, ){3}\w+\.$/);
    });
  }, 120_000);

  test('a projection rebuild runs locally: the projector invokes itself once per segment, asynchronously, and the read model comes back', async () => {
    // GIVEN two projected ledgers, whose documents are then lost
    await withLocal(synthLedgerApp('Opened,Deposited').directory, async ({ local, ledgers, views, traces }) => {
      for (const [id, amount] of [['l-r1', 3], ['l-r2', 4]] as const) {
        await ledgers.send({ type: 'Open', aggregateId: id, payload: { owner: id } });
        await ledgers.send({ type: 'Deposit', aggregateId: id, payload: { amount } });
      }
      await local.settle();
      const projected = [await views.get('l-r1'), await views.get('l-r2')];
      const readModel = local.readModelTableName('LedgerView');
      for (const id of ['l-r1', 'l-r2']) await local.documents().send(new DeleteCommand({ TableName: readModel, Key: { pk: id, sk: 'LedgerView' } }));

      // WHEN the rebuild command is sent: it answers at once, and its segments run as Lambda runs asynchronous invocations
      expect(await local.invoke('LedgerView/Function', { rebuild: { totalSegments: 2 } })).toMatchObject({ segments: [0, 1] });
      expect(await views.get('l-r1')).toBeUndefined();
      await local.settle();

      // THEN
      expect([await views.get('l-r1'), await views.get('l-r2')]).toEqual(projected);
      const rebuilds = traces.flatMap((t) => (t.kind === 'invoked' && (t.event as { rebuild?: object }).rebuild ? [(t.event as { rebuild: { segment?: number } }).rebuild] : []));
      expect(rebuilds[0]).toEqual({ totalSegments: 2 });
      // The segments' requests reach the endpoint in either order.
      expect(rebuilds.slice(1).map((r) => r.segment).sort()).toEqual([0, 1]);
    });
  }, 120_000);

  test('an asynchronous invocation through lambdaClient() is answered 202 at once and runs in settle()', async () => {
    await withLocal(synthLedgerApp('Opened').directory, async ({ local, traces }) => {
      const queryFunction = local.topology.functions.find((f) => f.path.includes('/QueryHandler/'))!.logicalId;
      const invoked = () => traces.filter((t) => t.kind === 'invoked').length;

      const answer = await local.lambdaClient().send(new InvokeCommand({
        FunctionName: queryFunction, InvocationType: 'Event', Payload: new TextEncoder().encode('{"type":"GetLedger","params":{"id":"l-none"}}'),
      }));

      expect(answer).toEqual({ StatusCode: 202 });
      expect(invoked()).toBe(0);
      await local.settle();
      expect(invoked()).toBe(1);
    });
  }, 120_000);

  test('the deployed query function reads a session\'s own writes before the projector has run', async () => {
    await withLocal(synthLedgerApp('Opened,Deposited').directory, async ({ local, ledgers }) => {
      await ledgers.send({ type: 'Open', aggregateId: 'l-ryw', payload: { owner: 'dee' }, sessionId: 's-dee' });
      await ledgers.send({ type: 'Deposit', aggregateId: 'l-ryw', payload: { amount: 4 }, sessionId: 's-dee' });

      // The query function by its whole construct path, and by a unique part of it.
      await expect(local.invoke('Bank/Ledgers/QueryHandler/Function', { type: 'GetLedger', params: { id: 'l-ryw', sessionId: 's-dee' } }))
        .resolves.toEqual({ owner: 'dee', balance: 4, deposits: 1 });
      await expect(local.invoke('Ledgers/QueryHandler', { type: 'GetLedger', params: { id: 'l-ryw' } })).resolves.toBeNull();
    });
  }, 120_000);
});

/** Child processes alive in this process (DynamoDB Local is one). */
const childProcesses = () => process.getActiveResourcesInfo().filter((resource) => resource === 'ProcessWrap').length;

/** Waits a little for an exited child's handle to be released, which takes a few turns of the event loop. */
async function settledChildProcesses(): Promise<number> {
  for (let waited = 0; waited < 2000 && childProcesses() > 0; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  return childProcesses();
}

describe('LocalApp: start and stop', () => {
  const dynamoDbLocalDir = process.env.DYNAMODB_LOCAL_DIR;
  // LocalApp starts its own DynamoDB Local from this repository's copy, not from the app's node_modules.
  beforeEach(() => { process.env.DYNAMODB_LOCAL_DIR = REPO_DYNAMODB_LOCAL_DIR; });
  afterEach(() => { process.env.DYNAMODB_LOCAL_DIR = dynamoDbLocalDir; });

  test('builds and synthesizes a plain App quietly, and runs its functions by their construct paths', async () => {
    // GIVEN a plain App, built by LocalApp (its functions are bundled as they are constructed; a new domain folder, so not from
    // the asset cache), with something else that writes to stderr
    const app = () => {
      const built = ledgerApp('Opened,Deposited');
      built.node.addValidation({ validate: () => { process.stderr.write('a line of the app\'s own\n'); return []; } });
      return built;
    };
    const written: string[] = [];
    const stderrWrite = process.stderr.write;
    const recorder = ((chunk: string | Uint8Array) => { written.push(String(chunk)); return true; }) as typeof process.stderr.write;
    process.stderr.write = recorder;
    let local: LocalApp | undefined;
    try {
      // WHEN
      local = await LocalApp.start({ app, dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT });
      expect(process.stderr.write).toBe(recorder);
    } finally {
      process.stderr.write = stderrWrite;
    }
    try {
      // THEN aws-cdk-lib's bundling lines were left out, and nothing else
      expect(written).toEqual(['a line of the app\'s own\n']);
      await new CommandClient({ functionName: local.cloud.commandHandlerName('Ledger'), lambda: local.cloud.lambdaClient() })
        .send({ type: 'Open', aggregateId: 'l-app', payload: { owner: 'eve' } });
      await local.settle();
      for (const name of ['Bank/Ledgers/QueryHandler', 'Ledgers/QueryHandler', 'QueryHandler']) {
        await expect(local.cloud.invoke(name, { type: 'GetLedger', params: { id: 'l-app' } })).resolves.toEqual({ owner: 'eve', balance: 0, deposits: 0 });
      }
      await expect(local.queries('Ledger').query('GetLedger', { id: 'l-app' })).resolves.toEqual({ owner: 'eve', balance: 0, deposits: 0 });
      await expect(local.queries('Ledger').query('GetLedgers')).rejects.toThrow(new UnknownQuery({ queryType: 'GetLedgers', knownQueries: ['GetLedger'], aggregateName: 'Ledger' }));
    } finally {
      await local.stop();
    }
  }, 120_000);

  test('stop() may be called twice, and while it runs; DynamoDB Local, which start started, has exited after it', async () => {
    const before = childProcesses();
    // The App itself (built outside) is synthesized too.
    const local = await LocalApp.start({ app: ledgerApp('Opened') });
    expect(childProcesses()).toBe(before + 1);

    await Promise.all([local.stop(), local.stop()]);
    await local.stop();

    expect(await settledChildProcesses()).toBe(before);
    await expect(local.cloud.invoke('Ledgers/CommandHandler', { type: 'Open', aggregateId: 'l-1', payload: { owner: 'x' } })).rejects.toThrow('the app was stopped');
  }, 120_000);

  test('a start that fails after starting DynamoDB Local stops it, and throws the cause', async () => {
    // GIVEN an assembly the local runtime cannot run: a function whose code is not an asset
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-assembly-'));
    tempDirs.push(directory);
    fs.writeFileSync(path.join(directory, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts: { Shop: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Shop.template.json' } } } }));
    fs.writeFileSync(path.join(directory, 'Shop.template.json'), JSON.stringify({ Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Code: { ZipFile: 'x' } } } } }));
    const before = childProcesses();

    // WHEN / THEN
    await expect(LocalApp.start({ assembly: { directory } })).rejects.toThrow('cdk-cqrs local: Shop/Fn has no bundled code in the assembly (Code must be an asset).');
    expect(await settledChildProcesses()).toBe(before);
  }, 60_000);

  test('a DynamoDB Local that fails to start is an error that names why, and leaves no process behind', async () => {
    // GIVEN a DynamoDB Local folder whose jar is broken
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-ddb-'));
    tempDirs.push(broken);
    fs.writeFileSync(path.join(broken, 'DynamoDBLocal.jar'), '');
    process.env.DYNAMODB_LOCAL_DIR = broken;
    const before = childProcesses();

    await expect(LocalApp.start({ assembly: { directory: synthLedgerApp('Opened').directory } }))
      .rejects.toThrow(/^DynamoDB Local \(it needs Java 17 or later on PATH\) exited with code 1: .*jarfile/s);
    expect(await settledChildProcesses()).toBe(before);
  }, 120_000);

  test('fails without an app or an assembly, or with both, and says what to give; an assembly that is not one names the fix', async () => {
    const directory = synthLedgerApp('Opened').directory;
    await expect(LocalApp.start({})).rejects.toThrow('cdk-cqrs LocalApp.start: give your app: LocalApp.start({ app }) with the App your stacks are in');
    await expect(LocalApp.start({ app: new App(), assembly: { directory } })).rejects.toThrow('give either your app ({ app }) or a synthesized assembly ({ assembly }), not both.');
    await expect(LocalApp.start({ assembly: { directory: os.tmpdir() }, dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT }))
      .rejects.toThrow(`no cloud assembly in ${os.tmpdir()} (manifest.json is missing). Run \`npx cdk synth\` first`);
  }, 120_000);
});
