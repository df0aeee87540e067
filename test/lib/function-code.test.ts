import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BROKEN_ENTRY, COUNTER_ENTRY, COUNTER_MARKER, COUNTER_VIEW_ENTRY, GREETER_ENTRY, NO_DEFAULT_EXPORT_ENTRY, newStack } from './fixtures/stand-in-app';
import { STAND_IN_RUNTIME_MARKER } from './fixtures/runtime';
import {
  commandHandlerCode, projectorCode, publisherCode, queryHandlerCode, sqlMigratorCode, sqlProjectorCode, sqlQueryHandlerCode,
} from '../../lib/private/bundling/function-code';
import {
  LIBRARY_QUERIES_ENTRY, LOANS_BY_MEMBER_ENTRY, LOANS_BY_MEMBER_MIGRATIONS, MEMBER_NAMES_MIGRATIONS,
} from './fixtures/sql-read-model';
import { esbuildPreference, loadEsbuild } from '../../lib/private/bundling/esbuild';

/** Stages `code` in a new app, as a synth does, and returns its asset hash and bundle text. */
function stage(code: lambda.Code): { hash: string; bundle: string } {
  const { app, stack } = newStack();
  const { s3Location } = code.bind(stack);
  const hash = s3Location!.objectKey.replace(/\.zip$/, '');
  return { hash, bundle: fs.readFileSync(path.join(app.outdir, `asset.${hash}`, 'index.js'), 'utf8') };
}

describe('bundling with esbuild-wasm (no native esbuild, no Docker)', () => {
  let counter: { hash: string; bundle: string };

  beforeAll(() => {
    esbuildPreference.native = false;
    counter = stage(commandHandlerCode(COUNTER_ENTRY));
  });
  afterAll(() => {
    esbuildPreference.native = true;
  });

  test('runs esbuild-wasm when told not to use a native esbuild', () => {
    expect(loadEsbuild().implementation).toBe('esbuild-wasm');
  });

  test('leaves NODE_OPTIONS as it was: the baseline-compiler flag reaches only the esbuild-wasm process', () => {
    const before = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = '--stack-trace-limit=20';
    try {
      stage(commandHandlerCode(GREETER_ENTRY));
      expect(process.env.NODE_OPTIONS).toBe('--stack-trace-limit=20');
    } finally {
      if (before === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = before;
    }
  });

  test('bundles the aggregate module and the runtime into one index.js, whitespace minified and identifiers kept', () => {
    expect(counter.bundle).toContain(COUNTER_MARKER);
    expect(counter.bundle).toContain(STAND_IN_RUNTIME_MARKER);
    // Kept so that a handler's text, which code versions hash, is the same in every bundle.
    expect(counter.bundle).toContain('counterOverflowLimitForFixture');
    expect(counter.bundle.trim().split('\n').length).toBeLessThanOrEqual(2);
  });

  test('prints a projection handler the same in every bundle that holds it, the projector\'s and the query function\'s', () => {
    // GIVEN a queries module that imports the aggregate and the projection, so its bundle holds more around them
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-queries-'));
    try {
      const queries = path.join(dir, 'queries.ts');
      fs.writeFileSync(queries, [
        `import counter from ${JSON.stringify(COUNTER_ENTRY)};`,
        `import view from ${JSON.stringify(COUNTER_VIEW_ENTRY)};`,
        "export default { definitionKind: 'queries', handlers: { Get: () => [counter, view] } };",
      ].join('\n'));
      // WHEN both are bundled
      const projector = stage(projectorCode(COUNTER_VIEW_ENTRY)).bundle;
      const query = stage(queryHandlerCode(queries)).bundle;
      // THEN the handler's text (which the runtime hashes into the projection's code version) is the same
      const at = projector.indexOf('Incremented:(view');
      expect(at).toBeGreaterThan(0);
      const handler = projector.slice(at, projector.indexOf('})', at) + 2);
      expect(handler).toMatch(/^Incremented:\(view,e\)=>/);
      expect(query).toContain(handler);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('resolves cdk-cqrs/runtime in the aggregate module to the same runtime copy as the handler', () => {
    expect(counter.bundle.split(STAND_IN_RUNTIME_MARKER).length - 1).toBe(1);
  });

  test('leaves the AWS SDK out of the bundle for the Lambda runtime to provide', () => {
    expect(counter.bundle).toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
    expect(counter.bundle).not.toContain('DynamoDBClient=class');
  });

  test('exports the handler that the functions call (index.handler)', () => {
    const exported = { exports: {} as Record<string, unknown> };
    new Function('module', 'exports', 'require', counter.bundle)(exported, exported.exports, () => ({ DynamoDBClient: class {} }));
    expect(typeof exported.exports.handler).toBe('function');
  });

  test('gives two aggregate modules two different assets', () => {
    expect(stage(commandHandlerCode(GREETER_ENTRY)).hash).not.toBe(counter.hash);
  });

  test('bundles the runtime publisher for the outbox', () => {
    expect(stage(publisherCode()).bundle).toContain('stand-in publisher 9c2e');
  });

  test('bundles a projection module with the runtime projector, leaving the SDK out, exporting the handler', () => {
    const { bundle } = stage(projectorCode(COUNTER_VIEW_ENTRY));
    expect(bundle).toContain('stand-in projector 5b8d');
    expect(bundle).toContain(COUNTER_MARKER); // the projection imports its aggregate
    expect(bundle.split(STAND_IN_RUNTIME_MARKER).length - 1).toBe(1);
    expect(bundle).toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
    const exported = { exports: {} as Record<string, unknown> };
    new Function('module', 'exports', 'require', bundle)(exported, exported.exports, () => ({ DynamoDBClient: class {} }));
    expect(typeof exported.exports.handler).toBe('function');
  });

  test('fails with a message that names the entry, file and line if the module does not parse', () => {
    expect(() => stage(commandHandlerCode(BROKEN_ENTRY))).toThrow(
      /Bundling the command handler of .*broken\.js failed:\n {2}.*broken\.js:3:\d+: Expected/);
  });

  test('fails naming the user\'s module and the fix, not the generated entry, if the module has no default export', () => {
    expect(() => stage(commandHandlerCode(NO_DEFAULT_EXPORT_ENTRY))).toThrow(
      `Bundling the command handler of ${NO_DEFAULT_EXPORT_ENTRY} failed: ${NO_DEFAULT_EXPORT_ENTRY} has no default export. Add \`export default defineAggregate(...)\` to it.`);
    expect(() => stage(projectorCode(NO_DEFAULT_EXPORT_ENTRY))).toThrow(
      'has no default export. Add `export default defineProjection(...)` (or `defineCustomProjection(...)`) to it.');
  });

  test('writes the same bundle with a native esbuild of the same version (the fast path)', () => {
    esbuildPreference.native = true;
    try {
      expect(loadEsbuild().implementation).toBe('esbuild');
      expect(stage(commandHandlerCode(COUNTER_ENTRY)).hash).toBe(counter.hash);
    } finally {
      esbuildPreference.native = false;
    }
  });
});

describe('bundling the functions of a SQL read model', () => {
  /** The handler a bundle exports, loaded with no module outside it. */
  const handlerOf = (bundle: string) => {
    const exported = { exports: {} as Record<string, unknown> };
    new Function('module', 'exports', 'require', bundle)(exported, exported.exports, () => ({}));
    return exported.exports.handler as (event: unknown) => Promise<Record<string, unknown>>;
  };

  test('bundles a SQL projection module with the runtime SQL projector', () => {
    const { bundle } = stage(sqlProjectorCode(LOANS_BY_MEMBER_ENTRY));
    expect(bundle).toContain('stand-in SQL projector 3e1a');
    expect(bundle.split(STAND_IN_RUNTIME_MARKER).length - 1).toBe(1);
    expect(typeof handlerOf(bundle)).toBe('function');
  });

  test('bundles a SQL queries module with the runtime SQL query handler', () => {
    const { bundle } = stage(sqlQueryHandlerCode(LIBRARY_QUERIES_ENTRY));
    expect(bundle).toContain('LoansOfMember');
    expect(typeof handlerOf(bundle)).toBe('function');
  });

  test('bundles the text of every migration file, by projection and in the order given, with the runtime SQL migrator', async () => {
    // GIVEN two projections' migrations
    const read = (dir: string, name: string) => ({ name, sql: fs.readFileSync(path.join(dir, name), 'utf8') });
    // WHEN the migrator is bundled
    const { bundle } = stage(sqlMigratorCode([
      { projectionName: 'LoansByMember', migrationsDir: LOANS_BY_MEMBER_MIGRATIONS, files: ['001_init.sql', '002_member_names.sql'] },
      { projectionName: 'MemberNames', migrationsDir: MEMBER_NAMES_MIGRATIONS, files: ['001_init.sql'] },
    ]));
    // THEN the runtime's createSqlMigrator gets each file's text as it is
    const answer = await handlerOf(bundle)({});
    expect(answer.migrator).toBe('stand-in SQL migrator 6d0f');
    expect(answer.migrations).toEqual({
      LoansByMember: [read(LOANS_BY_MEMBER_MIGRATIONS, '001_init.sql'), read(LOANS_BY_MEMBER_MIGRATIONS, '002_member_names.sql')],
      MemberNames: [read(MEMBER_NAMES_MIGRATIONS, '001_init.sql')],
    });
  });
});
