import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  COUNTER_BY_COUNT_ENTRY, COUNTER_TOTALS_ENTRY, COUNTER_TOTALS_EVENTS, COUNTER_VIEW_ENTRY, COUNTER_VIEW_EVENTS,
  COUNTER_ENTRY, COUNTER_QUERIES_ENTRY, NO_DEFAULT_EXPORT_ENTRY, NO_EVENTS_PROJECTION_ENTRY, NOT_A_PROJECTION_ENTRY, TALLY_VIEW_ENTRY, THROWS_ON_LOAD_ENTRY,
} from './fixtures/stand-in-app';
import { readModuleManifest } from '../../lib/private/bundling/module-manifest';
import { readProjectionManifest } from '../../lib/private/definition-checks';

const read = (entry: string) => readProjectionManifest({ where: "CqrsAggregate 'Counters'", projectionName: 'CounterView', entry });

describe('reading a projection module at synth', () => {
  test('gives the sorted event types of its handlers', () => {
    expect(read(COUNTER_VIEW_ENTRY).eventTypes).toEqual(COUNTER_VIEW_EVENTS);
    expect(read(COUNTER_TOTALS_ENTRY).eventTypes).toEqual(COUNTER_TOTALS_EVENTS);
  });

  test('loads a module that creates an AWS SDK client at load time, with no SDK', () => {
    // counter-view.ts does `new DynamoDBClient({})` at its top level
    expect(() => read(COUNTER_VIEW_ENTRY)).not.toThrow();
  });

  test('gives the read-model indexes the projection fills, none when it has no indexes', () => {
    expect(read(COUNTER_BY_COUNT_ENTRY).indexNames).toEqual(['byCount']);
    expect(read(COUNTER_VIEW_ENTRY).indexNames).toEqual([]);
  });

  test('follows the module: other handlers, other event types', () => {
    // GIVEN a module whose events change between two synths (two files, as the cache is per path)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-manifest-'));
    try {
      const write = (name: string, events: string[]) => {
        const file = path.join(dir, name);
        const handlers = events.map((type) => `${type}: (view) => view`).join(', ');
        fs.writeFileSync(file, `import { defineProjection } from 'cdk-cqrs/runtime';\nexport default defineProjection({}, { events: { ${handlers} } });\n`);
        return file;
      };
      // WHEN / THEN
      expect(read(write('v1.ts', ['OrderPlaced'])).eventTypes).toEqual(['OrderPlaced']);
      expect(read(write('v2.ts', ['OrderShipped', 'OrderPlaced', 'OrderCancelled'])).eventTypes).toEqual(['OrderCancelled', 'OrderPlaced', 'OrderShipped']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('reads each module once per process', () => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) read(COUNTER_VIEW_ENTRY);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(50);
  });

  test('fails if the default export is not a projection, naming the aggregate, projection and entry', () => {
    expect(() => read(NOT_A_PROJECTION_ENTRY)).toThrow(
      `CqrsAggregate 'Counters': projection 'CounterView' (entry ${NOT_A_PROJECTION_ENTRY}): the module's default export must be defineProjection(...) or defineCustomProjection(...); it is defineAggregate(...).`);
  });

  test('fails if the projection handles no event', () => {
    expect(() => read(NO_EVENTS_PROJECTION_ENTRY)).toThrow(
      `projection 'CounterView' (entry ${NO_EVENTS_PROJECTION_ENTRY}): the module's default export must be defineProjection(...) with at least one event in its events.`);
  });

  test('fails with the module\'s own error if it throws while it loads', () => {
    expect(() => read(THROWS_ON_LOAD_ENTRY)).toThrow(
      `projection 'CounterView' (entry ${THROWS_ON_LOAD_ENTRY}): evaluating the module to read its definition failed: fixture projection cannot load 3c9a`);
  });
});

describe('reading any module at synth', () => {
  const readAny = (entry: string) => readModuleManifest({ entry, prefix: "CqrsAggregate 'Counters': entry", what: `the module ${entry}` });

  test('gives the kind of each definition, and whether the module has a default export', () => {
    expect(readAny(COUNTER_ENTRY)).toMatchObject({ kind: 'aggregate', found: 'defineAggregate(...)', hasDefaultExport: true });
    expect(readAny(COUNTER_QUERIES_ENTRY)).toMatchObject({ kind: 'queries', found: 'defineQueries(...)', hasDefaultExport: true });
    expect(readAny(NO_DEFAULT_EXPORT_ENTRY)).toMatchObject({ found: 'nothing (no default export)', hasDefaultExport: false });
  });

  test('gives an aggregate\'s event types, and those of the aggregate a projection is defined on', () => {
    expect(readAny(COUNTER_ENTRY).aggregateEventTypes).toEqual(['Incremented']);
    expect(read(COUNTER_VIEW_ENTRY).aggregateEventTypes).toEqual(['Incremented']);
    expect(read(TALLY_VIEW_ENTRY).aggregateEventTypes).toEqual(['Tallied', 'TallyReset']);
  });
});
