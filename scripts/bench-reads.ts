// `npm run bench -- reads`: what read-your-writes costs a read. `Repository.get` with a sessionId
// (the read model's document and the session's entries, read in parallel, merged) against the
// same read without one, on the same documents: extra DynamoDB requests per read, and the
// ratio of the p50 latencies, the two reads interleaved (A, B, A, B ...) in one run.
import { performance } from 'node:perf_hooks';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Repository, defineProjection } from 'cdk-cqrs/runtime';
import { judged, median, percentile } from './bench-stats';
import { countRequests } from '../test/helpers/request-counts';
import { eraseProjection } from '../lambda/projection/define-projection';
import { projectMessages } from '../lambda/projection/project-messages';
import { readSessionEntries } from '../lambda/sessions/session-read';
import type { EventEnvelope } from '../lambda/shared/envelope';
import { handleCommand } from '../lambda/write/handle-command';
import { createEventStoreTable } from '../test/helpers/create-event-store-table';
import { createReadModelTable } from '../test/helpers/create-read-model-table';
import { createSessionTable } from '../test/helpers/create-session-table';
import { queueMessage } from '../test/helpers/queue-messages';
import { counter } from '../test/helpers/test-aggregates';

const AGGREGATES = 100;
const ROUNDS = 3;
const PROJECTION_NAME = 'CounterTotal';
const SESSION = 'bench-session';

const totalView = defineProjection<typeof counter, { total: number }>(counter, {
  events: { Incremented: (view, e) => ({ total: (view?.total ?? 0) + e.data.by }) },
});

/** Prints the read-your-writes figures; DynamoDB Local must be running (DYNAMODB_ENDPOINT). */
export async function benchReads(): Promise<void> {
  const [store, sessions, readModel] = await Promise.all([
    createEventStoreTable('bench-reads-events', { stream: false }), createSessionTable('bench-reads-sessions'), createReadModelTable('bench-reads-model'),
  ]);
  // Each aggregate: two commands of the session; the first projected, the second still pending,
  // so a read with the session merges one event the projector has not applied yet.
  const deps = store.deps({ aggregateName: 'Counter', eventSource: 'bench.Counter', session: { tableName: sessions.tableName, ttlSeconds: 300 } });
  const projected: EventEnvelope[] = [];
  for (let a = 0; a < AGGREGATES; a++) {
    projected.push(...(await handleCommand(counter, { type: 'Increment', aggregateId: `c-${a}`, payload: { by: 1 }, sessionId: SESSION }, deps)).events);
    await handleCommand(counter, { type: 'Increment', aggregateId: `c-${a}`, payload: { by: 2 }, sessionId: SESSION }, deps);
  }
  await projectMessages(eraseProjection(totalView), projected.map((event) => queueMessage(event)),
    { dynamoDb: readModel.doc, readModelTable: readModel.tableName, eventStoreTable: store.tableName, projectionName: PROJECTION_NAME });

  const counts = countRequests(readModel.client);
  const settings = { sessionTable: sessions.tableName, aggregateName: 'Counter', eventStoreTable: store.tableName };
  const repository = new Repository(totalView, {
    tableName: readModel.tableName, projectionName: PROJECTION_NAME, dynamoDb: readModel.doc,
    readYourWrites: settings,
  });
  const plain: number[] = [];
  const session: number[] = [];
  // The session's Query alone, interleaved too: what a read with a session waits for at least.
  const entriesAlone: number[] = [];
  // The document's GetItem and the session's Query sent in parallel by hand, without the Repository: the floor on this DynamoDB Local.
  const bothByHand: number[] = [];
  const requests = { plain: 0, session: 0 };
  const timed = async (read: () => Promise<unknown>, into: number[]) => {
    counts.clear();
    const started = performance.now();
    await read();
    into.push(performance.now() - started);
    return counts.total();
  };
  // A warm-up read of each kind, not counted: the SDK's first request and lazy imports.
  await repository.get('c-0');
  await repository.get('c-0', { sessionId: SESSION });
  const roundRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const [p, s]: [number[], number[]] = [[], []];
    for (let a = 0; a < AGGREGATES; a++) {
      requests.plain += await timed(() => repository.get(`c-${a}`), p);
      requests.session += await timed(() => repository.get(`c-${a}`, { sessionId: SESSION }), s);
      await timed(() => readSessionEntries(readModel.doc, settings, SESSION, `c-${a}`), entriesAlone);
      await timed(() => Promise.all([
        readModel.doc.send(new GetCommand({ TableName: readModel.tableName, Key: { pk: `c-${a}`, sk: PROJECTION_NAME } })),
        readSessionEntries(readModel.doc, settings, SESSION, `c-${a}`),
      ]), bothByHand);
    }
    [p, s].forEach((list) => list.sort((x, y) => x - y));
    roundRatios.push(percentile(s, 0.5) / percentile(p, 0.5));
    plain.push(...p);
    session.push(...s);
  }
  const reads = AGGREGATES * ROUNDS;
  const extra = (requests.session - requests.plain) / reads;
  const ratio = median(roundRatios);
  [plain, session, entriesAlone, bothByHand].forEach((list) => list.sort((x, y) => x - y));
  console.log(`read-your-writes: Repository.get with a sessionId (one pending event merged) vs without, ${AGGREGATES} documents x ${ROUNDS} interleaved rounds:`);
  console.log(`  requests/read: plain ${(requests.plain / reads).toFixed(2)}, with session ${(requests.session / reads).toFixed(2)}; extra ${extra.toFixed(2)} ${judged(Number(extra.toFixed(2)), { atMost: 1 })}`);
  console.log(`  p50 ratio, with session/plain       ${ratio.toFixed(2).padStart(6)}x ${judged(Number(ratio.toFixed(2)), { atMost: 1.3 })}   (median of ${ROUNDS} rounds' ratios; p50 ${percentile(session, 0.5).toFixed(2)} vs ${percentile(plain, 0.5).toFixed(2)} ms)`);
  console.log(`  p50 ratio, the session's Query alone/plain ${(percentile(entriesAlone, 0.5) / percentile(plain, 0.5)).toFixed(2)}x   (what the parallel read waits for at least, on DynamoDB Local)`);
  console.log(`  p50 ratio, GetItem and that Query in parallel by hand/plain ${(percentile(bothByHand, 0.5) / percentile(plain, 0.5)).toFixed(2)}x   (the floor here: DynamoDB Local answers the two in turn)`);
  await Promise.all([store.drop(), sessions.drop(), readModel.drop()]);
}
