import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { createSqlMigrator } from '../../lambda/handlers/sql-migrator';
import { liveGenerations } from '../../lambda/sql/sql-generations';
import { startLocalSql, type LocalSql } from '../helpers/local-sql';

let local: LocalSql;
beforeAll(async () => { local = await startLocalSql(); });
afterAll(async () => { await local?.stop(); });

/** A CloudFormation response URL on loopback: what the migrator PUTs there. */
async function responseUrl(): Promise<{ url: string; answers: Record<string, unknown>[]; close: () => Promise<void> }> {
  const answers: Record<string, unknown>[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
    request.on('end', () => {
      answers.push({ method: request.method, contentType: request.headers['content-type'], ...JSON.parse(body) as Record<string, unknown> });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/answer`, answers, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const event = (url: string, RequestType: 'Create' | 'Update' | 'Delete' = 'Create') =>
  ({ RequestType, ResponseURL: url, StackId: 'stack', RequestId: 'req', LogicalResourceId: 'Migrations' }) as const;

const logged: Record<string, unknown>[] = [];
const log = (entry: Record<string, unknown>) => logged.push(entry);
let count = 0;
const name = (prefix: string) => `${prefix}${(count += 1)}`;

describe('SQL migrations', () => {
  test('each migration applies once, in name order, and CloudFormation gets SUCCESS', async () => {
    const projectionName = name('Shop');
    const { db } = local.connect();
    const cfn = await responseUrl();
    try {
      const migrator = createSqlMigrator({ [projectionName]: [
        { name: '002_add.sql', sql: "ALTER TABLE items ADD COLUMN note text DEFAULT 'n'; -- a comment; not a statement\n" },
        { name: '001_init.sql', sql: "CREATE TABLE items (id text PRIMARY KEY, body text NOT NULL DEFAULT 'a;b');\nCREATE FUNCTION two() RETURNS int AS $$ SELECT 2; $$ LANGUAGE sql;" },
      ] }, { db, log });
      const first = await migrator(event(cfn.url));
      const second = await migrator(event(cfn.url, 'Update'));
      expect(first.projections).toEqual([{ projectionName, created: 1, applied: { [`${projectionName.toLowerCase()}_g1`]: ['001_init.sql', '002_add.sql'] } }]);
      expect(second.projections).toEqual([{ projectionName, applied: { [`${projectionName.toLowerCase()}_g1`]: [] } }]);
      expect(cfn.answers).toEqual([
        expect.objectContaining({ method: 'PUT', contentType: '', Status: 'SUCCESS', PhysicalResourceId: 'cdk-cqrs-sql-migrations', StackId: 'stack', RequestId: 'req', LogicalResourceId: 'Migrations' }),
        expect.objectContaining({ Status: 'SUCCESS' }),
      ]);
      const [generation] = await liveGenerations(db, projectionName);
      await sql`INSERT INTO ${sql.id(generation.schemaName, 'items')} (id) VALUES ('x')`.execute(db);
      const { rows } = await sql`SELECT id, body, note, ${sql.id(generation.schemaName, 'two')}() AS two FROM ${sql.id(generation.schemaName, 'items')}`.execute(db);
      expect(rows).toEqual([{ id: 'x', body: 'a;b', note: 'n', two: 2 }]);
    } finally {
      await cfn.close();
    }
  });

  test.each([
    ['a changed migration', [{ name: '001.sql', sql: 'CREATE TABLE t (id int, x int);' }], /001\.sql .* was changed after it was applied/],
    ['a removed migration', [], /001\.sql .* was applied but is no longer in the migrations folder/],
    ['a new migration that sorts before an applied one', [{ name: '000.sql', sql: 'SELECT 1;' }, { name: '001.sql', sql: 'CREATE TABLE t (id int);' }], /000\.sql .* sorts before 001\.sql/],
  ])('%s fails the deploy with FAILED and a reason naming the fix, and applies nothing', async (_what, later, reason) => {
    const projectionName = name('Strict');
    const { db } = local.connect();
    const cfn = await responseUrl();
    try {
      await createSqlMigrator({ [projectionName]: [{ name: '001.sql', sql: 'CREATE TABLE t (id int);' }] }, { db, log })(event(cfn.url));
      await createSqlMigrator({ [projectionName]: [...later, { name: '009.sql', sql: 'CREATE TABLE later (id int);' }] }, { db, log })(event(cfn.url, 'Update'));
      expect(cfn.answers.map((a) => a.Status)).toEqual(['SUCCESS', 'FAILED']);
      expect(cfn.answers[1].Reason).toMatch(reason);
      const { rows } = await sql`SELECT table_name FROM information_schema.tables WHERE table_schema = ${`${projectionName.toLowerCase()}_g1`} ORDER BY table_name`.execute(db);
      expect(rows).toEqual([{ table_name: 'cdk_cqrs_checkpoints' }, { table_name: 'cdk_cqrs_migrations' }, { table_name: 't' }]);
    } finally {
      await cfn.close();
    }
  });

  test('a migration that fails applies none of its statements, names itself, and the next deploy applies it once fixed', async () => {
    const projectionName = name('Broken');
    const { db } = local.connect();
    const migrate = createSqlMigrator({ [projectionName]: [{ name: '001.sql', sql: 'CREATE TABLE a (id int); CREATE TABLE a (id int);' }] }, { db, log });
    await expect(migrate({ RequestType: 'Create' })).rejects.toThrow(/Migration 001\.sql of projection Broken\d+ .* failed at: CREATE TABLE a \(id int\): .*already exists/);
    expect(logged.at(-1)).toEqual({ message: expect.stringMatching(/^cdk-cqrs: migrations failed: .*001\.sql/) });
    const fixed = await createSqlMigrator({ [projectionName]: [{ name: '001.sql', sql: 'CREATE TABLE a (id int);' }] }, { db, log })({ RequestType: 'Update' });
    expect(Object.values(fixed.projections[0].applied)).toEqual([['001.sql']]);
  });

  test('a rollback of a deploy (the migrator of before, with fewer migrations than are applied) succeeds and changes nothing', async () => {
    const projectionName = name('Rolled');
    const { db } = local.connect();
    const first = [{ name: '001.sql', sql: 'CREATE TABLE t (id int);' }];
    await createSqlMigrator({ [projectionName]: [...first, { name: '002.sql', sql: 'ALTER TABLE t ADD COLUMN x int;' }, { name: '003.sql', sql: 'ALTER TABLE t ADD COLUMN y int;' }] }, { db, log })({ RequestType: 'Create' });
    const rolledBack = await createSqlMigrator({ [projectionName]: first }, { db, log })({ RequestType: 'Update' });
    expect(Object.values(rolledBack.projections[0].applied)).toEqual([[]]);
    // Not a prefix: the first migration's text differs from what was applied.
    await expect(createSqlMigrator({ [projectionName]: [{ name: '001.sql', sql: 'CREATE TABLE t (id bigint);' }] }, { db, log })({ RequestType: 'Update' }))
      .rejects.toThrow(/001\.sql .* was changed after it was applied/);
  });

  test('Delete answers SUCCESS and drops nothing', async () => {
    const cfn = await responseUrl();
    try {
      await createSqlMigrator({}, { db: local.connect().db, log })(event(cfn.url, 'Delete'));
      expect(cfn.answers).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
    } finally {
      await cfn.close();
    }
  });
});
