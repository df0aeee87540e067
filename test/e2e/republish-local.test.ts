import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { CqrsAggregate } from 'cdk-cqrs';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { CommandClient, Repository, defineProjection } from 'cdk-cqrs/runtime';
import { LocalCloud, type LocalTrace } from '../../lambda/local/local-cloud';

/**
 * The republish request on the synthesized app, run locally: the publisher's bundle (the code that
 * deploys, with its environment from the template) reads the event store, invokes itself per
 * segment through the local Lambda endpoint, and puts the events on the local bus.
 */

const TALLY = `
import { defineAggregate } from 'cdk-cqrs/runtime';
export default defineAggregate({
  initialState: () => ({}),
  commands: { Add: (cmd: { n: number }) => [{ type: 'Added', data: cmd }] },
  events: { Added: (state) => state },
});`;
const TALLY_VIEW = `
import { defineProjection } from 'cdk-cqrs/runtime';
import tally from './tally';
export default defineProjection(tally, { events: { Added: (view: { sum: number; adds: number } | undefined, e) => ({ sum: (view?.sum ?? 0) + e.data.n, adds: (view?.adds ?? 0) + 1 }) } });`;

interface TallyView { sum: number; adds: number }
// The projection's code runs in its bundle; the Repository here only reads its documents.
const tallyView = defineProjection<{ readonly definitionKind: 'aggregate' }, TallyView>({ definitionKind: 'aggregate' }, { events: {} });

let workDir: string;
beforeAll(() => { workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-republish-')); });
afterAll(() => { fs.rmSync(workDir, { recursive: true, force: true }); });

function synthTallyApp(): string {
  fs.writeFileSync(path.join(workDir, 'tally.ts'), TALLY);
  fs.writeFileSync(path.join(workDir, 'tally-view.ts'), TALLY_VIEW);
  const app = new App({ outdir: path.join(workDir, 'cdk.out'), context: { 'aws:cdk:enable-path-metadata': true } });
  new CqrsAggregate(new Stack(app, 'Shop'), 'Tallies', {
    aggregateName: 'Tally', entry: path.join(workDir, 'tally.ts'),
    projections: [{ projectionName: 'TallyView', entry: path.join(workDir, 'tally-view.ts') }],
  });
  return app.synth().directory;
}

describe('a republish request, run locally', () => {
  test('the publisher fans out per segment and puts each aggregate\'s events back on the bus in version order; the projection gets them', async () => {
    const traces: LocalTrace[] = [];
    const local = await LocalCloud.start({ assemblyDirectory: synthTallyApp(), dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT as string, onTrace: (t) => traces.push(t) });
    try {
      // GIVEN two tallies, projected; then the projection's documents are lost, as if it never had their events
      const tallies = new CommandClient({ functionName: local.commandHandlerName('Tally'), lambda: local.lambdaClient() });
      const from = new Date(Date.now() - 60_000).toISOString();
      for (const n of [1, 2, 3]) for (const id of ['t-1', 't-2']) await tallies.send({ type: 'Add', aggregateId: id, payload: { n } });
      await local.settle();
      const views = new Repository(tallyView, { tableName: local.readModelTableName('TallyView'), projectionName: 'TallyView', dynamoDb: local.documents() });
      for (const id of ['t-1', 't-2']) await local.documents().send(new DeleteCommand({ TableName: local.readModelTableName('TallyView'), Key: { pk: id, sk: 'TallyView' } }));
      const routedBefore = traces.filter((t) => t.kind === 'routed').length;
      // WHEN the window is republished
      const publisher = local.topology.functions.find((f) => f.path.includes('/Publisher/'));
      const answer = await local.invoke(publisher?.logicalId as string, { republish: { from, to: new Date(Date.now() + 60_000).toISOString(), totalSegments: 2 } });
      await local.settle();
      // THEN
      expect(answer).toMatchObject({ segments: [0, 1] });
      const republished = traces.flatMap((t) => (t.kind === 'routed' ? [t.routed.event.detail as { aggregateId: string; version: number }] : [])).slice(routedBefore);
      for (const id of ['t-1', 't-2']) expect(republished.filter((e) => e.aggregateId === id).map((e) => e.version)).toEqual([1, 2, 3]);
      expect([await views.get('t-1'), await views.get('t-2')]).toEqual([{ sum: 6, adds: 3 }, { sum: 6, adds: 3 }]);
    } finally {
      await local.stop();
    }
  }, 120_000);
});
