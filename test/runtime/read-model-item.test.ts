import { fromReadModelItem, isLiveDocument, toReadModelItem, type IndexMappers } from '../../lambda/store/read-model-item';

// The read-model item of a document: how a view, a tombstone and index keys are written, and how
// the two readers (`get` through fromReadModelItem, `query` through isLiveDocument) read an item.

const view = { owner: 'ann', balance: 5 };
const byOwner: IndexMappers = { byOwner: (current) => ({ pk: (current as typeof view).owner, sk: 'x' }) };

describe('a document read from its item', () => {
  test('a tombstone (deleted: true) has its version and no view, whatever view attribute the item still carries', () => {
    expect(fromReadModelItem({ pk: 'a', sk: 'P', version: 4, deleted: true, view })).toEqual({ version: 4, view: undefined });
    expect(fromReadModelItem({ pk: 'a', sk: 'P', version: 4, codeVersion: 'c', deleted: true })).toEqual({ version: 4, view: undefined, code: 'c' });
  });

  test('an item not marked deleted has its view', () => {
    expect(fromReadModelItem({ pk: 'a', sk: 'P', version: 2, view })).toEqual({ version: 2, view });
    expect(fromReadModelItem({ pk: 'a', sk: 'P', version: 2, deleted: false, view })).toEqual({ version: 2, view });
  });
});

describe('a live document, as a query lists it', () => {
  test('is an item with a view, not a tombstone', () => {
    expect(isLiveDocument({ pk: 'a', sk: 'P', version: 2, view })).toBe(true);
    expect(isLiveDocument({ pk: 'a', sk: 'P', version: 2, deleted: true })).toBe(false);
  });

  // A query and a get must agree on which items are documents: `get` answers no document when
  // fromReadModelItem gives no view, so a query lists an item exactly when `get` would answer it.
  test.each([
    ['a view', { version: 2, view }],
    ['a tombstone', { version: 2, deleted: true }],
    ['a tombstone that still carries a view', { version: 2, deleted: true, view }],
    ['a view marked deleted: false', { version: 2, deleted: false, view }],
    ['neither a view nor the deleted mark', { version: 2 }],
    ['deleted: false and no view', { version: 2, deleted: false }],
  ])('agrees with the reading of get on an item with %s', (_shape, attributes) => {
    const item = { pk: 'a', sk: 'P', ...attributes };
    expect(isLiveDocument(item)).toBe(fromReadModelItem(item)!.view !== undefined);
  });

  test('each item toReadModelItem writes reads the same through both', () => {
    for (const written of [view, undefined, null]) {
      const item = toReadModelItem({}, 'P', 'a', { version: 3, view: written });
      expect(isLiveDocument(item)).toBe(written !== undefined && written !== null);
      expect(fromReadModelItem(item)!.view).toEqual(written ?? undefined);
    }
  });
});

describe('the item of a document', () => {
  test('without a view, null as undefined, is a tombstone: its version and code kept, no view and no index keys', () => {
    for (const none of [null, undefined]) {
      expect(toReadModelItem({ indexes: byOwner }, 'P', 'a', { version: 3, view: none, code: 'c' }))
        .toEqual({ pk: 'a', sk: 'P', version: 3, codeVersion: 'c', deleted: true });
    }
  });

  test('a handler that returned null deletes the document: read back, it has no view, and a query does not list it', () => {
    const item = toReadModelItem({}, 'P', 'a', { version: 5, view: null });
    expect(item).not.toHaveProperty('view');
    expect(fromReadModelItem(item)).toEqual({ version: 5, view: undefined });
    expect(isLiveDocument(item)).toBe(false);
  });

  test('with a view, carries it and the keys its index mappers give', () => {
    expect(toReadModelItem({ indexes: byOwner }, 'P', 'a', { version: 1, view }))
      .toEqual({ pk: 'a', sk: 'P', version: 1, view, byOwner_pk: 'ann', byOwner_sk: 'x' });
  });

  test('leaves the document out of an index whose mapper returns undefined', () => {
    expect(toReadModelItem({ indexes: { byOwner: () => undefined } }, 'P', 'a', { version: 1, view }))
      .toEqual({ pk: 'a', sk: 'P', version: 1, view });
  });

  const message = (indexKey: string) => `Projection P: index byOwner mapped a to ${indexKey}; return { pk, sk } as non-empty strings, or undefined to leave the document out of the index.`;

  test.each([
    ['null', null],
    ['a string', 'ann#x'],
    ['a number', 7],
    ['an array', ['ann', 'x']],
    ['a pk that is not a string', { pk: 7, sk: 'x' }],
    ['an empty pk', { pk: '', sk: 'x' }],
    ['a sk that is not a string', { pk: 'ann', sk: 7 }],
    ['a sk that is an array', { pk: 'ann', sk: ['x'] }],
    ['a sk that is an object with a length', { pk: 'ann', sk: { length: 1 } }],
    ['an empty sk', { pk: 'ann', sk: '' }],
    ['no sk', { pk: 'ann' }],
  ])('refuses an index key that is %s, naming the projection, the index and the aggregate', (_shape, indexKey) => {
    expect(() => toReadModelItem({ indexes: { byOwner: () => indexKey } }, 'P', 'a', { version: 1, view }))
      .toThrow(new Error(message(JSON.stringify(indexKey))));
  });
});
