import fc from 'fast-check';
import { ownFunction } from '../../lambda/shared/guards';
import { foldProjection } from '../../lambda/projection/projection-fold';
import { eraseProjection } from '../../lambda/projection/define-projection';
import { handleQuery } from '../../lambda/query/handle-query';
import { defineQueries } from '../../lambda/query/define-queries';
import { foldEvents } from '../../lambda/write/fold';
import type { AnyAggregate } from '../../lambda/write/define-aggregate';
import { envelopes } from '../helpers/queue-messages';
import { ledgerView } from '../helpers/test-projections';
import { customer } from '../helpers/test-aggregates';

/** Names that a plain object answers through its prototype. */
const PROTOTYPE_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', '__defineGetter__', 'isPrototypeOf', 'toLocaleString'];

describe('every name-to-handler map is looked up by own property only', () => {
  test('ownFunction finds only functions the map holds itself, whatever the name', () => {
    const map: Record<string, () => string> = { Known: () => 'known' };
    fc.assert(fc.property(fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string()), (name) => {
      fc.pre(name !== 'Known');
      expect(ownFunction(map, name)).toBeUndefined();
    }));
    expect(ownFunction(map, 'Known')?.()).toBe('known');
  });

  test.each(PROTOTYPE_NAMES)('a projection skips an event of type %s (only its version advances)', (type) => {
    const events = envelopes('Ledger', 'l', [{ type: 'Opened', data: { owner: 'a' } }, { type, data: {} }]);
    const ledger = eraseProjection(ledgerView);
    const opened = foldProjection(ledger, { version: 0, view: undefined }, events.slice(0, 1)).document;
    expect(opened.view).toBeDefined();
    expect(foldProjection(ledger, { version: 0, view: undefined }, events)).toEqual({ document: { version: 2, view: opened.view } });
  });

  test.each(PROTOTYPE_NAMES)('fails to fold an aggregate event of type %s: it has no evolve function', (type) => {
    expect(() => foldEvents(customer as unknown as AnyAggregate, customer.initialState(), [{ type, data: {}, version: 1 }]))
      .toThrow(`The aggregate has no evolve function for event ${type} (version 1)`);
  });

  test.each(PROTOTYPE_NAMES)('fails a query named %s as an unknown query', async (type) => {
    const queries = defineQueries({ Ping: () => 'pong' });
    await expect(handleQuery(queries, { type, params: {} }, { readModelTable: 'unused' }))
      .rejects.toMatchObject({ name: 'UnknownQuery', queryType: type, knownQueries: ['Ping'] });
  });
});
