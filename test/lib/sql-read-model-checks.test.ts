import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { COUNTER_QUERIES_ENTRY, newStack } from './fixtures/stand-in-app';
import {
  libraryAggregates, libraryStack, LOAN_ENTRY, LOANS_BY_MEMBER_ENTRY, LOANS_BY_MEMBER_MIGRATIONS, loansByMember, MEMBER_ENTRY, MEMBER_NAMES_ENTRY,
} from './fixtures/sql-read-model';
import { CqrsAggregate, CqrsSqlReadModel, type CqrsSqlReadModelProps, type SqlProjectionProps } from '../../lib';

type Sources = ReturnType<typeof libraryAggregates>;

/**
 * Builds the read model `Library` in a new stack with the two fixture aggregates, expecting it to
 * throw; returns the message, once it has checked that the read model created nothing.
 */
function failureOf(props: (sources: Sources & { stack: Stack }) => CqrsSqlReadModelProps): string {
  const { stack } = newStack();
  const sources = libraryAggregates(stack);
  let message = '';
  try {
    new CqrsSqlReadModel(stack, 'Library', props({ ...sources, stack }));
  } catch (error) {
    message = (error as Error).message;
  }
  expect(stack.node.tryFindChild('Library')?.node.children).toEqual([]);
  return message;
}

/** The read model with one projection: `LoansByMember` with the changes given. */
const withProjection = (change: Partial<SqlProjectionProps>) =>
  ({ members, loans }: Sources): CqrsSqlReadModelProps => ({ projections: [loansByMember(members, loans, change)] });

/** A folder under the system's temporary folder with `files` (name to text), removed after the test. */
const folders: string[] = [];
function folderWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-sql-'));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
afterAll(() => folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const WHERE = "CqrsSqlReadModel 'Library'";
const AT = `${WHERE}: projection 'LoansByMember'`;

describe('CqrsSqlReadModel synth checks', () => {
  test('fails if there is no projection', () => {
    expect(failureOf(() => ({ projections: [] }))).toBe(`${WHERE}: projections is empty. Add at least one projection: { projectionName, entry, sources, migrations }.`);
  });

  test('fails if a projectionName is not letters and digits', () => {
    expect(failureOf(withProjection({ projectionName: 'Loans-By' })))
      .toBe(`${WHERE}: projectionName must be letters and digits, starting with a letter, at most 64 characters (given 'Loans-By').`);
  });

  test('fails if a projectionName takes the id of a part of the read model', () => {
    expect(failureOf(withProjection({ projectionName: 'Cluster' })))
      .toBe(`${WHERE}: projection 'Cluster': projectionName must not be one of Vpc, SecurityGroup, Cluster, Migrations, QueryHandler, which name the read model's own parts.`);
  });

  test('fails if two projections share a name', () => {
    expect(failureOf(({ members, loans }) => ({ projections: [loansByMember(members, loans), loansByMember(members, loans)] })))
      .toBe(`${WHERE}: two projections are named 'LoansByMember': each projectionName must be unique within the read model.`);
  });

  test('fails if entry does not exist', () => {
    const entry = path.join(os.tmpdir(), 'no-such-projection.ts');
    expect(failureOf(withProjection({ entry })))
      .toBe(`${AT}: entry not found at ${entry}. Point entry at a module whose default export is defineSqlProjection<Tables>()(...).`);
  });

  test('fails if entry\'s default export is not a SQL projection, saying where it goes instead', () => {
    expect(failureOf(withProjection({ entry: MEMBER_ENTRY }))).toBe(`${AT} (entry ${MEMBER_ENTRY}): the module's default export must be defineSqlProjection<Tables>()(...); it is defineAggregate(...). `
      + 'An aggregate module goes in entry; point the projection\'s entry at a module whose default export is defineSqlProjection<Tables>()(...).');
  });

  test('fails if sources is empty', () => {
    expect(failureOf(withProjection({ sources: [] })))
      .toBe(`${AT}: sources is empty. List the CqrsAggregates whose events the projection reads: the keys of its definition's aggregates.`);
  });

  test('fails if sources lists an aggregate twice', () => {
    expect(failureOf(({ members, loans }) => withProjection({ sources: [members, loans, members] })({ members, loans })))
      .toBe(`${AT}: sources holds two aggregates named 'Member'. A projection names each aggregate once, by aggregateName: list it once.`);
  });

  test('fails if sources lack an aggregate of the definition, naming both sets and the fix', () => {
    expect(failureOf(({ members, loans }) => withProjection({ sources: [loans] })({ members, loans })))
      .toBe(`${AT} (entry ${LOANS_BY_MEMBER_ENTRY}): sources are 'Loan', but the definition's aggregates are 'Member', 'Loan'. `
        + 'They must be the same aggregates, by aggregateName: add the CqrsAggregate of \'Member\' to sources.');
  });

  test('fails if sources hold an aggregate the definition does not name', () => {
    expect(failureOf(({ members, loans }) => withProjection({ entry: MEMBER_NAMES_ENTRY })({ members, loans })))
      .toBe(`${AT} (entry ${MEMBER_NAMES_ENTRY}): sources are 'Member', 'Loan', but the definition's aggregates are 'Member'. `
        + 'They must be the same aggregates, by aggregateName: remove \'Loan\' from sources, or add it to the definition\'s aggregates.');
  });

  test('fails if the projection has no handler for a source\'s events', () => {
    const entry = path.join(folderWith({
      'loans-only.ts': [
        "import { defineSqlProjection } from 'cdk-cqrs/runtime';",
        `import member from ${JSON.stringify(MEMBER_ENTRY)};`,
        `import loan from ${JSON.stringify(LOAN_ENTRY)};`,
        'export default defineSqlProjection()({ aggregates: { Member: member, Loan: loan }, events: { Loan: { Lent: async () => {} } } });',
      ].join('\n'),
    }), 'loans-only.ts');
    expect(failureOf(withProjection({ entry })))
      .toBe(`${AT} (entry ${entry}): the projection has no handler for Member's events; remove it from sources or add handlers.`);
  });

  describe('migrations', () => {
    test('fails if the folder does not exist', () => {
      const migrations = path.join(os.tmpdir(), 'no-such-migrations');
      expect(failureOf(withProjection({ migrations })))
        .toBe(`${AT}: migrations folder not found at ${migrations}. Point migrations at a folder of .sql files (001_init.sql, 002_...), applied in the order of their names.`);
    });

    test('fails if it is a file', () => {
      const migrations = path.join(LOANS_BY_MEMBER_MIGRATIONS, '001_init.sql');
      expect(failureOf(withProjection({ migrations })))
        .toBe(`${AT}: migrations must be a folder; ${migrations} is a file. Point migrations at a folder of .sql files (001_init.sql, 002_...), applied in the order of their names.`);
    });

    test('fails if the folder holds no .sql file', () => {
      const migrations = folderWith({ 'README.md': '# migrations' });
      expect(failureOf(withProjection({ migrations })))
        .toBe(`${AT}: the migrations folder ${migrations} holds no .sql file. Add one (for example 001_init.sql) that creates the projection's tables.`);
    });

    test('fails if a file name is not plain ASCII letters, digits, _, - and .', () => {
      const migrations = folderWith({ '001_init.sql': 'CREATE TABLE t (id text);', '002 add column.sql': 'ALTER TABLE t ADD COLUMN n text;' });
      expect(failureOf(withProjection({ migrations })))
        .toBe(`${AT}: the migration file '002 add column.sql' in ${migrations} must be named with ASCII letters, digits, '_', '-' and '.', ending in .sql. Rename it.`);
    });

    test('fails if a file is empty', () => {
      const migrations = folderWith({ '001_init.sql': 'CREATE TABLE t (id text);', '002_next.sql': '\n  \n' });
      expect(failureOf(withProjection({ migrations })))
        .toBe(`${AT}: the migration file '002_next.sql' in ${migrations} is empty. Write its SQL, or remove the file.`);
    });
  });

  describe('cluster and secret', () => {
    const cluster = (stack: Stack) => rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'Reports', { clusterIdentifier: 'reports' });
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:reports-AbCdEf';

    test('fails if a cluster is given without its secret', () => {
      expect(failureOf((sources) => ({ ...withProjection({})(sources), cluster: cluster(sources.stack) })))
        .toBe(`${WHERE}: cluster is given without secret. The Data API connects with a Secrets Manager secret: give the cluster's secret in secret (Secret.fromSecretCompleteArn), or leave out both for a new cluster.`);
    });

    test('fails if a secret is given without a cluster', () => {
      expect(failureOf((sources) => ({ ...withProjection({})(sources), secret: secretsmanager.Secret.fromSecretCompleteArn(sources.stack, 'S', secretArn) })))
        .toBe(`${WHERE}: secret is given without cluster. A new cluster makes its own secret: give the cluster the secret is for in cluster, or leave out secret.`);
    });

    test('fails if the secret is known by its name only', () => {
      expect(failureOf((sources) => ({
        ...withProjection({})(sources), cluster: cluster(sources.stack), secret: secretsmanager.Secret.fromSecretNameV2(sources.stack, 'S', 'reports'),
      }))).toMatch(/^CqrsSqlReadModel 'Library': secret must be given by its full ARN, .* Import it with Secret.fromSecretCompleteArn/);
    });

    test('fails if databaseName is no PostgreSQL identifier', () => {
      expect(failureOf((sources) => ({ ...withProjection({})(sources), databaseName: 'my-db' })))
        .toBe(`${WHERE}: databaseName must be letters, digits and '_', starting with a letter, at most 63 characters (given 'my-db').`);
    });

    test('fails if a capacity is not in half ACUs, or the least is above the most', () => {
      expect(failureOf((sources) => ({ ...withProjection({})(sources), minCapacity: 0.3 })))
        .toBe(`${WHERE}: minCapacity must be between 0 and 256 Aurora capacity units, in steps of 0.5 (given 0.3).`);
      expect(failureOf((sources) => ({ ...withProjection({})(sources), maxCapacity: 0 })))
        .toBe(`${WHERE}: maxCapacity must be between 1 and 256 Aurora capacity units, in steps of 0.5 (given 0).`);
      expect(failureOf((sources) => ({ ...withProjection({})(sources), minCapacity: 8 })))
        .toBe(`${WHERE}: minCapacity must not be above maxCapacity (given minCapacity 8, maxCapacity 4).`);
    });
  });

  test('fails if a delivery prop is out of range, as for a document projection', () => {
    expect(failureOf(withProjection({ maxConcurrency: 1 }))).toBe(`${AT}: maxConcurrency must be an integer between 2 and 1000 (given 1).`);
  });

  test('fails if queries.entry does not exist', () => {
    const entry = path.join(os.tmpdir(), 'no-such-queries.ts');
    expect(failureOf((sources) => ({ ...withProjection({})(sources), queries: { entry } })))
      .toBe(`${WHERE}: queries.entry not found at ${entry}. Point it at a module whose default export is defineSqlQueries<Tables>()(...).`);
  });

  test('fails if queries.entry defines the queries of an aggregate, not SQL queries', () => {
    expect(failureOf((sources) => ({ ...withProjection({})(sources), queries: { entry: COUNTER_QUERIES_ENTRY } })))
      .toBe(`${WHERE}: queries.entry ${COUNTER_QUERIES_ENTRY}: the module's default export must be defineSqlQueries<Tables>()(...); it is defineQueries(...). `
        + 'A queries module goes in queries: { entry }; point queries.entry at a module whose default export is defineSqlQueries<Tables>()(...).');
  });

  test('fails if a CqrsAggregate is given a SQL projection, saying where it goes', () => {
    const { stack } = newStack();
    expect(() => new CqrsAggregate(stack, 'Members', { aggregateName: 'Member', entry: MEMBER_ENTRY, projections: [{ projectionName: 'Loans', entry: LOANS_BY_MEMBER_ENTRY }] }))
      .toThrow('A SQL projection module goes in a CqrsSqlReadModel\'s projections: [{ projectionName, entry, sources, migrations }]; point the projection\'s entry at a module whose default export is defineProjection(...) or defineCustomProjection(...).');
  });

  test('fails to find a projection that does not exist, and to grant queries it has not', () => {
    const { readModel, stack } = libraryStack(() => ({ queries: undefined }));
    expect(() => readModel.projection('Loans')).toThrow(`${WHERE}: no projection named 'Loans' (projections: 'LoansByMember').`);
    expect(() => readModel.grantQuery(new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') })))
      .toThrow(`${WHERE}: grantQuery needs a query function, and there is none without queries. Set queries: { entry } to a module whose default export is defineSqlQueries<Tables>()(...).`);
  });
});
