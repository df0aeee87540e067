import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { counterStack } from './fixtures/aggregate';
import {
  COUNTER_CUSTOM_ENTRY, COUNTER_ENTRY, COUNTER_QUERIES_ENTRY, COUNTER_VIEW_ENTRY, GREETER_ENTRY, NO_DEFAULT_EXPORT_ENTRY,
  TALLY_VIEW_ENTRY, newStack,
} from './fixtures/stand-in-app';
import { CqrsAggregate, type CqrsAggregateProps } from '../../lib';
import { manifestBundles } from '../../lib/private/bundling/module-manifest';

const VIEW = { projectionName: 'CounterView', entry: COUNTER_VIEW_ENTRY };

describe('synth checks of the modules an aggregate is given', () => {
  const fails = (props: Partial<CqrsAggregateProps>) => () => counterStack(props);

  test('fails if entry is a projection module', () => {
    expect(fails({ entry: COUNTER_VIEW_ENTRY })).toThrow(
      `CqrsAggregate 'Counters': entry ${COUNTER_VIEW_ENTRY}: the module's default export must be defineAggregate(...); it is defineProjection(...). `
      + 'A projection module goes in projections: [{ projectionName, entry }]; point entry at a module whose default export is defineAggregate(...).');
  });

  test('fails if entry is a queries module', () => {
    expect(fails({ entry: COUNTER_QUERIES_ENTRY })).toThrow(
      `CqrsAggregate 'Counters': entry ${COUNTER_QUERIES_ENTRY}: the module's default export must be defineAggregate(...); it is defineQueries(...). `
      + 'A queries module goes in queries: { entry }; point entry at a module whose default export is defineAggregate(...).');
  });

  test('fails if queries.entry is an aggregate module', () => {
    expect(fails({ projections: [VIEW], queries: { entry: COUNTER_ENTRY } })).toThrow(
      `CqrsAggregate 'Counters': queries.entry ${COUNTER_ENTRY}: the module's default export must be defineQueries(...); it is defineAggregate(...). `
      + 'An aggregate module goes in entry; point queries.entry at a module whose default export is defineQueries(...).');
  });

  test('fails if queries.entry is not a definition', () => {
    expect(fails({ projections: [VIEW], queries: { entry: GREETER_ENTRY } })).toThrow(
      `CqrsAggregate 'Counters': queries.entry ${GREETER_ENTRY}: the module's default export must be defineQueries(...); it is not a definition (object). `
      + 'Point queries.entry at a module whose default export is defineQueries(...).');
  });

  test('fails if a projection is defined on another aggregate', () => {
    expect(fails({ projections: [{ projectionName: 'TallyView', entry: TALLY_VIEW_ENTRY }] })).toThrow(
      `CqrsAggregate 'Counters': projection 'TallyView' (entry ${TALLY_VIEW_ENTRY}): it is defined on another aggregate than the one at entry ${COUNTER_ENTRY}: `
      + "that aggregate has the events 'Tallied', 'TallyReset'; this one has 'Incremented'. Its rule matches only this aggregate's events, so it would never run. "
      + "Define it on the default export of entry, or list it in the projections of its own aggregate's CqrsAggregate.");
  });

  test('takes a projection whose aggregate is no definition (a hand-made object) as it is', () => {
    expect(fails({ projections: [{ projectionName: 'Custom', entry: COUNTER_CUSTOM_ENTRY }] })).not.toThrow();
  });

  describe('a module with no default export', () => {
    test('fails if the aggregate module has no default export', () => {
      expect(fails({ entry: NO_DEFAULT_EXPORT_ENTRY })).toThrow(
        `CqrsAggregate 'Counters': entry ${NO_DEFAULT_EXPORT_ENTRY}: the module has no default export. Add \`export default defineAggregate(...)\` to it.`);
    });

    test('fails if a projection module has no default export', () => {
      expect(fails({ projections: [{ projectionName: 'CounterView', entry: NO_DEFAULT_EXPORT_ENTRY }] })).toThrow(
        `CqrsAggregate 'Counters': projection 'CounterView' (entry ${NO_DEFAULT_EXPORT_ENTRY}): the module has no default export. `
        + 'Add `export default defineProjection(...)` (or `defineCustomProjection(...)`) to it.');
    });

    test('fails if the queries module has no default export', () => {
      expect(fails({ projections: [VIEW], queries: { entry: NO_DEFAULT_EXPORT_ENTRY } })).toThrow(
        `CqrsAggregate 'Counters': queries.entry ${NO_DEFAULT_EXPORT_ENTRY}: the module has no default export. Add \`export default defineQueries(...)\` to it.`);
    });
  });

  describe('reading them', () => {
    let dir: string;
    const write = (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    beforeEach(() => {
      // Fresh files: the manifests are cached per module path and process.
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-checks-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const aggregate = "import { defineAggregate } from 'cdk-cqrs/runtime';\nexport default defineAggregate({ initialState: () => ({}), commands: {}, events: { Noted: (s) => s } });\n";
    const view = "import { defineProjection } from 'cdk-cqrs/runtime';\nimport notes from './notes';\nexport default defineProjection(notes, { events: { Noted: (v) => v } });\n";

    test('reads an aggregate\'s modules in one bundle, once per process', () => {
      // GIVEN an aggregate module, two projections of it and a queries module, none read yet
      const props = {
        aggregateName: 'Note',
        entry: write('notes.ts', aggregate),
        projections: [{ projectionName: 'NoteView', entry: write('note-view.ts', view) }, { projectionName: 'NoteList', entry: write('note-list.ts', view) }],
        queries: { entry: write('note-queries.ts', "export default { definitionKind: 'queries', handlers: {} };\n") },
      };
      const before = manifestBundles.count;
      // WHEN
      new CqrsAggregate(newStack().stack, 'Notes', props);
      new CqrsAggregate(newStack().stack, 'Notes', props);
      // THEN
      expect(manifestBundles.count - before).toBe(1);
    });

    test('takes a projection defined on a stand-in with no events (to type it without importing its aggregate) as it is', () => {
      const entry = write('notes.ts', aggregate);
      const typed = write('typed-view.ts', "import { defineProjection } from 'cdk-cqrs/runtime';\nexport default defineProjection({ definitionKind: 'aggregate' }, { events: { Noted: (v) => v } });\n");
      expect(() => new CqrsAggregate(newStack().stack, 'Notes', { aggregateName: 'Note', entry, projections: [{ projectionName: 'NoteView', entry: typed }] })).not.toThrow();
    });

    test('fails naming the module that throws while it loads, though read with the others', () => {
      const entry = write('notes.ts', aggregate);
      const broken = write('broken-view.ts', "throw new Error('fixture view cannot load 8e1f');\n");
      expect(() => new CqrsAggregate(newStack().stack, 'Notes', {
        aggregateName: 'Note', entry, projections: [{ projectionName: 'NoteView', entry: write('note-view.ts', view) }, { projectionName: 'Broken', entry: broken }],
      })).toThrow(`CqrsAggregate 'Notes': projection 'Broken' (entry ${broken}): evaluating the module to read its definition failed: fixture view cannot load 8e1f`);
    });
  });
});

describe('synth checks of aggregates on one bus', () => {
  const counter = (eventBus?: events.IEventBus, namespace?: string) => ({ aggregateName: 'Counter', entry: COUNTER_ENTRY, eventBus, namespace });

  test('fails if two aggregates with the same aggregateName and namespace share an eventBus', () => {
    const { stack } = newStack();
    const bus = new events.EventBus(stack, 'SharedBus');
    new CqrsAggregate(stack, 'Counters', counter(bus));
    expect(() => new CqrsAggregate(stack, 'MoreCounters', counter(bus))).toThrow(
      "CqrsAggregate 'MoreCounters': aggregateName 'Counter' (namespace 'cqrs') is already taken on this eventBus by CqrsAggregate 'Counters' (Stack/Counters): "
      + "both would put events with source 'cqrs.Counter' on it, and each one's projections would take the other's events. "
      + 'Give one of them another aggregateName or namespace, or its own eventBus.');
  });

  test('fails if they are in two stacks of one account and region, each importing the bus by name', () => {
    const app = new App();
    const env = { account: '111111111111', region: 'eu-west-1' };
    const [one, two] = [new Stack(app, 'One', { env }), new Stack(app, 'Two', { env })];
    new CqrsAggregate(one, 'Counters', counter(events.EventBus.fromEventBusName(one, 'Bus', 'shop')));
    expect(() => new CqrsAggregate(two, 'Counters', counter(events.EventBus.fromEventBusName(two, 'Bus', 'shop'))))
      .toThrow("CqrsAggregate 'Counters': aggregateName 'Counter' (namespace 'cqrs') is already taken on this eventBus by CqrsAggregate 'Counters' (One/Counters)");
  });

  test('lets aggregates of one name have their own buses, other namespaces, or env-agnostic stacks that may be in other regions', () => {
    const app = new App();
    const [one, two] = [new Stack(app, 'One'), new Stack(app, 'Two')];
    const bus = new events.EventBus(one, 'SharedBus');
    expect(() => {
      new CqrsAggregate(one, 'Counters', counter());
      new CqrsAggregate(one, 'MoreCounters', counter());
      new CqrsAggregate(one, 'ShopCounters', counter(bus, 'shop'));
      new CqrsAggregate(one, 'StoreCounters', counter(bus, 'store'));
      new CqrsAggregate(one, 'DefaultBusCounters', counter(events.EventBus.fromEventBusName(one, 'Default', 'default')));
      new CqrsAggregate(two, 'DefaultBusCounters', counter(events.EventBus.fromEventBusName(two, 'Default', 'default')));
    }).not.toThrow();
  });
});

describe('synth checks of read-your-writes', () => {
  const reader = (stack: Stack) => new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

  test('warns if readYourWrites is given without projections', () => {
    const { aggregate } = counterStack({ readYourWrites: {} });
    // Read off the construct: Annotations.fromStack would synthesize the whole app again, for seconds.
    expect(aggregate.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning').map((entry) => entry.data)).toContain(
      "readYourWrites creates a session table that nothing reads: without projections there is no read model to merge a session's writes into, "
      + 'yet each command sent with a sessionId writes its events there too. Add a projection to projections, or remove readYourWrites. '
      + '[ack: cdk-cqrs:readYourWritesWithoutProjections]');
  });

  test('fails if grantReadYourWrites is called on an aggregate without projections, naming projections', () => {
    const withSessions = counterStack({ readYourWrites: {} });
    expect(() => withSessions.aggregate.grantReadYourWrites(reader(withSessions.stack))).toThrow(
      "CqrsAggregate 'Counters': grantReadYourWrites needs a read model to merge a session's writes into, and there is none without projections. Add a projection to projections.");
    const plain = counterStack();
    expect(() => plain.aggregate.grantReadYourWrites(reader(plain.stack))).toThrow(
      "CqrsAggregate 'Counters': grantReadYourWrites needs a read model to merge a session's writes into, and there is none without projections. "
      + 'Add a projection to projections, and set readYourWrites: { ttl }.');
  });
});
