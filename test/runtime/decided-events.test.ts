import { toDecidedEvents } from '../../lambda/write/build-events';

/** What a command's decide function may return, normalised to a list of { type, data }. */
test('nothing, one event or an array: no events, that one, or each in order', () => {
  expect(toDecidedEvents(undefined, 'Close')).toEqual([]);
  expect(toDecidedEvents([], 'Close')).toEqual([]);
  expect(toDecidedEvents({ type: 'Closed', data: { at: 1 } }, 'Close')).toEqual([{ type: 'Closed', data: { at: 1 } }]);
  expect(toDecidedEvents([{ type: 'A' }, { type: 'B', data: 2, extra: true }], 'Close')).toEqual([{ type: 'A', data: undefined }, { type: 'B', data: 2 }]);
});

test('anything else is an error naming the command and the index of the event without a type', () => {
  for (const [decision, index] of [[null, 0], ['Closed', 0], [{ data: 1 }, 0], [{ type: '' }, 0], [[{ type: 'A' }, { type: 7 }], 1], [[{ type: 'A' }, { type: 'B' }, undefined], 2]] as const) {
    expect(() => toDecidedEvents(decision, 'Close'))
      .toThrow(`Command Close returned an event without a type at index ${index}: return { type, data } or an array of them.`);
  }
});
