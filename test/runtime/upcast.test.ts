import fc from 'fast-check';
import { currentSchemaVersion, EventFromNewerCode, upcastEvent, upcastEvents, type AnyUpcasters } from '../../lambda/write/upcast';

const stored = (type: string, data: unknown, schemaVersion?: number, version = 7) =>
  ({ type, data, version, aggregateId: 'c-1', metadata: { eventId: 'e-7', ...(schemaVersion === undefined ? {} : { schemaVersion }) } });

const upcasters: AnyUpcasters = {
  // v1 { fullName } -> v2 { first, last } -> v3 { name }
  Registered: [
    (v1: { fullName: string }) => ({ first: v1.fullName.split(' ')[0], last: v1.fullName.split(' ')[1] }),
    (v2: { first: string; last: string }) => ({ name: `${v2.first} ${v2.last}` }),
  ],
  Noted: [],
  Promoted: [],
  OldRegistered: (data: { fullName: string }) => ({ type: 'Registered', data: { name: data.fullName } }),
  Imported: (data: { fullName: string }, schemaVersion: number) => [
    { type: 'Registered', data: { name: data.fullName } },
    { type: 'Promoted', data: { level: schemaVersion } },
  ],
  Dropped: () => [],
  RenamedTwice: (data: { n: string }) => ({ type: 'OldRegistered', data: { fullName: data.n } }),
  Loops: (data: unknown) => ({ type: 'Loops', data }),
};

describe('upcastEvent', () => {
  test('runs the steps from the stored schema version to the current one, keeping version and metadata', () => {
    expect(upcastEvent(upcasters, stored('Registered', { fullName: 'Ann Lee' }, 1))).toEqual([
      { ...stored('Registered', { name: 'Ann Lee' }), metadata: { eventId: 'e-7', schemaVersion: 3 } },
    ]);
    expect(upcastEvent(upcasters, stored('Registered', { first: 'Ann', last: 'Lee' }, 2))[0].data).toEqual({ name: 'Ann Lee' });
    // An event stored before schema versions were kept is version 1.
    expect(upcastEvent(upcasters, stored('Registered', { fullName: 'Ann Lee' }))[0].data).toEqual({ name: 'Ann Lee' });
  });

  test('an event at its current version, or of a type without upcasters, is the same object', () => {
    const current = stored('Registered', { name: 'Ann' }, 3);
    expect(upcastEvent(upcasters, current)[0]).toBe(current);
    const plain = stored('Untouched', { x: 1 }, 1);
    expect(upcastEvent(upcasters, plain)[0]).toBe(plain);
    expect(upcastEvent(undefined, plain)[0]).toBe(plain);
  });

  test('a replacement renames, splits or drops a retired type, at the new types\' current versions', () => {
    expect(upcastEvent(upcasters, stored('OldRegistered', { fullName: 'Bo' }, 1))).toEqual([
      { ...stored('Registered', { name: 'Bo' }), metadata: { eventId: 'e-7', schemaVersion: 3 } },
    ]);
    expect(upcastEvent(upcasters, stored('Imported', { fullName: 'Cy' }, 2)).map((e) => [e.type, e.data, e.version, e.metadata.schemaVersion])).toEqual([
      ['Registered', { name: 'Cy' }, 7, 3],
      ['Promoted', { level: 2 }, 7, 1],
    ]);
    expect(upcastEvent(upcasters, stored('Dropped', {}, 1))).toEqual([]);
    expect(upcastEvent(upcasters, stored('RenamedTwice', { n: 'Di' }, 1)).map((e) => [e.type, e.data])).toEqual([['Registered', { name: 'Di' }]]);
  });

  test('an event newer than the code is EventFromNewerCode, naming the type and both versions', () => {
    const attempt = () => upcastEvent(upcasters, stored('Registered', { name: 'Ann' }, 4));
    expect(attempt).toThrow(EventFromNewerCode);
    expect(attempt).toThrow('Event Registered (version 7 of c-1) has schema version 4, and this code knows Registered up to version 3');
    expect(() => upcastEvent(upcasters, stored('Untouched', {}, 2))).toThrow('knows Untouched up to version 1');
  });

  test('a replacement that loops, or returns something without a type, is an error naming it', () => {
    expect(() => upcastEvent(upcasters, stored('Loops', {}, 1))).toThrow(/replace Loops .* more than 16 times/);
    expect(() => upcastEvent({ Bad: () => [{ data: 1 }] } as unknown as AnyUpcasters, stored('Bad', {}, 1))).toThrow(/returned something without a type at index 0/);
  });

  test('types are looked up as own properties: constructor, __proto__ and toString are plain names', () => {
    for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const event = stored(type, { x: 1 }, 1);
      expect(upcastEvent(upcasters, event)).toEqual([event]);
      expect(currentSchemaVersion(upcasters, type)).toBe(1);
      expect(() => upcastEvent(upcasters, stored(type, {}, 2))).toThrow(EventFromNewerCode);
    }
  });

  test('code with no upcasters at all still refuses an event newer than it (a rollback past the first upcaster), in every reader', () => {
    expect(() => upcastEvents(undefined, [stored('Registered', { name: 'Ann' }, 2)])).toThrow(EventFromNewerCode);
    expect(() => upcastEvents({}, [stored('Registered', { name: 'Ann' }, 2)])).toThrow('knows Registered up to version 1');
    const plain = stored('Registered', { name: 'Ann' }, 1);
    expect(upcastEvents(undefined, [plain])[0]).toBe(plain);
  });

  test('the current schema version is the steps + 1', () => {
    expect([currentSchemaVersion(upcasters, 'Registered'), currentSchemaVersion(upcasters, 'Noted'), currentSchemaVersion(upcasters, 'OldRegistered'), currentSchemaVersion(undefined, 'X')]).toEqual([3, 1, 1, 1]);
  });

  test('property: a chain of n steps brings any stored version k <= n + 1 to the current one, each step applied once, in order', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 8 }), fc.nat(), (steps, pick) => {
      const chain = Array.from({ length: steps }, (_, i) => (data: number[]) => [...data, i + 2]);
      const stepsOf: AnyUpcasters = { T: chain };
      const from = (pick % (steps + 1)) + 1;
      const [event] = upcastEvents(stepsOf, [stored('T', [from], from)]);
      expect(event.data).toEqual(Array.from({ length: steps + 2 - from }, (_, i) => from + i));
      expect(event.metadata.schemaVersion).toBe(steps + 1);
    }));
  });
});
