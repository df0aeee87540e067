import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { CqrsAggregate } from 'cdk-cqrs';
import { DomainError } from 'cdk-cqrs/runtime';
import { LocalApp, projectionSpecFor, specFor } from 'cdk-cqrs/testing';
import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import accountV1 from '../fixtures/evolving/account-v1';
import account from '../fixtures/evolving/account';
import balances from '../fixtures/evolving/balances';

// Yesterday's app (account-v1.ts) stores events; today's app (account.ts with upcasters: a renamed
// field, a renamed type, a split event) is synthesized and started on the same tables: both are
// LocalApps on one DynamoDB Local, the second given the first's table prefix, as a deploy would be.
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'evolving');
const TABLES = `evolving-${Date.now()}-`;
let local: LocalApp;

/** The Bank app with the Account aggregate of `entry`, and the Balances projection when given. */
const bankApp = (entry: string, projection?: string) => () => {
  const app = new App();
  const stack = new Stack(app, 'Bank');
  new CqrsAggregate(stack, 'Accounts', {
    aggregateName: 'Account',
    entry: path.join(FIXTURES, entry),
    projections: projection ? [{ projectionName: 'Balances', entry: path.join(FIXTURES, projection) }] : [],
    readYourWrites: {},
  });
  return app;
};

beforeAll(async () => {
  const yesterday = await LocalApp.start({ app: bankApp('account-v1.ts'), dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT, tablePrefix: TABLES });
  try {
    const accounts = yesterday.commands<typeof accountV1>('Account');
    await accounts.send({ type: 'Open', aggregateId: 'a-ann', payload: { name: 'Ann' } });
    await accounts.send({ type: 'Deposit', aggregateId: 'a-ann', payload: { euros: 2.5 } });
    await accounts.send({ type: 'Migrate', aggregateId: 'a-bob', payload: { name: 'Bob', euros: 4 } });
    await yesterday.settle();
  } finally {
    await yesterday.stop();
  }
  local = await LocalApp.start({ app: bankApp('account.ts', 'balances.ts'), dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT, tablePrefix: TABLES });
}, 180_000);

afterAll(() => local?.stop());

describe('stored events of yesterday\'s shapes, in today\'s app', () => {
  test('the projector builds today\'s views from them: the renamed field, the renamed type, both parts of the split event', async () => {
    await local.settle();
    const views = local.repository(balances, 'Balances');
    expect(await views.get('a-ann')).toEqual({ owner: 'Ann', cents: 250, deposits: 1 });
    expect(await views.get('a-bob')).toEqual({ owner: 'Bob', cents: 400, deposits: 1 });
  });

  test('commands decide on the upcast state, and their events are stamped with today\'s schema versions', async () => {
    const accounts = local.commands<typeof account>('Account');
    await expect(accounts.send({ type: 'Withdraw', aggregateId: 'a-ann', payload: { cents: 251 } })).rejects.toThrow('Only 250 cents to withdraw');
    const result = await accounts.send({ type: 'Withdraw', aggregateId: 'a-ann', payload: { cents: 50 } });
    expect(result.events.map((event) => [event.version, event.type, event.data, event.metadata.schemaVersion])).toEqual([[3, 'Deposited', { cents: -50 }, 2]]);
    await local.settle();
    expect(await local.repository(balances, 'Balances').get('a-ann')).toEqual({ owner: 'Ann', cents: 200, deposits: 2 });
  });

  test('read-your-writes folds the old events upcast with the session\'s new one', async () => {
    await local.commands<typeof account>('Account').send({ type: 'Deposit', aggregateId: 'a-bob', payload: { cents: 5 }, sessionId: 's-bob' });
    const views = local.repository(balances, 'Balances', { readYourWritesOf: 'Account' });
    expect(await views.get('a-bob', { sessionId: 's-bob' })).toEqual({ owner: 'Bob', cents: 405, deposits: 2 });
    await local.settle();
  });

  test('a rebuild from the event store gives the same upcast views', async () => {
    const views = local.repository(balances, 'Balances');
    const before = { ann: await views.get('a-ann'), bob: await views.get('a-bob') };
    // The documents go; the rebuild folds every stored event again, through the upcasters.
    const documents = local.cloud.documents() as DynamoDBDocumentClient;
    for (const id of ['a-ann', 'a-bob']) await documents.send(new DeleteCommand({ TableName: local.cloud.readModelTableName('Balances'), Key: { pk: id, sk: 'Balances' } }));
    expect(await views.get('a-ann')).toBeUndefined();
    await local.cloud.invoke('Accounts/Balances/Function', { rebuild: { totalSegments: 1 } });
    await local.settle();
    expect({ ann: await views.get('a-ann'), bob: await views.get('a-bob') }).toEqual(before);
  });

  test('specs given yesterday\'s events, with the schema version they were stored at, pass', async () => {
    const yesterdays = [
      { type: 'OpenedBy', data: { name: 'Cy' }, schemaVersion: 1 },
      { type: 'Deposited', data: { euros: 1 }, schemaVersion: 1 },
    ];
    await specFor(account).given(yesterdays).when({ type: 'Withdraw', payload: { cents: 101 } }).thenThrows(DomainError);
    await specFor(account).given([...yesterdays, { type: 'Deposited', data: { cents: 1 } }])
      .when({ type: 'Withdraw', payload: { cents: 101 } }).then([{ type: 'Deposited', data: { cents: -101 } }]);
    projectionSpecFor(balances).given([{ type: 'Migrated', data: { name: 'Di', euros: 2 }, schemaVersion: 1 }]).then({ owner: 'Di', cents: 200, deposits: 1 });
  });
});
