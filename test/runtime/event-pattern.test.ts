import { matchesEventPattern } from '../../lambda/local/event-pattern';

const event = {
  'source': 'shop.Order',
  'detail-type': 'OrderCreated',
  'detail': {
    aggregateName: 'Order', version: 3, tags: ['gift', 'express'], customer: { email: 'Ann@Example.com' }, note: null,
    items: [{ sku: 'tea', quantity: 1 }, { sku: 'mug', quantity: 2 }], file: 'a*b\\c', text: 'line 1\nline 2', service: 'EventBridge',
  },
};

describe('EventBridge event patterns, matched locally', () => {
  test.each([
    ['exact values (any of a list)', { 'source': ['shop.Order'], 'detail-type': ['OrderShipped', 'OrderCreated'] }, true],
    ['exact value that differs', { 'detail-type': ['OrderShipped'] }, false],
    ['nested fields', { detail: { aggregateName: ['Order'], customer: { email: ['Ann@Example.com'] } } }, true],
    ['a field the event lacks', { detail: { missing: ['x'] } }, false],
    ['null', { detail: { note: [null] } }, true],
    ['an array value matches when any element does', { detail: { tags: ['express'] } }, true],
    ['prefix', { 'detail-type': [{ prefix: 'Order' }] }, true],
    ['prefix, ignoring case', { detail: { customer: { email: [{ prefix: { 'equals-ignore-case': 'ann@' } }] } } }, true],
    ['suffix', { source: [{ suffix: '.Customer' }] }, false],
    ['anything-but a value', { 'detail-type': [{ 'anything-but': 'OrderCreated' }] }, false],
    ['anything-but a list', { 'detail-type': [{ 'anything-but': ['OrderShipped', 'OrderCancelled'] }] }, true],
    ['anything-but a prefix', { source: [{ 'anything-but': { prefix: 'shop.' } }] }, false],
    ['anything-but against an array value with another element', { detail: { tags: [{ 'anything-but': 'gift' }] } }, true],
    ['anything-but against an array value with no other element', { detail: { tags: [{ 'anything-but': ['gift', 'express'] }] } }, false],
    ['numeric range', { detail: { version: [{ numeric: ['>', 2, '<=', 3] }] } }, true],
    ['numeric out of range', { detail: { version: [{ numeric: ['<', 3] }] } }, false],
    ['exists', { detail: { version: [{ exists: true }], missing: [{ exists: false }] } }, true],
    ['exists on a missing field', { detail: { missing: [{ exists: true }] } }, false],
    ['equals-ignore-case', { detail: { customer: { email: [{ 'equals-ignore-case': 'ann@example.com' }] } } }, true],
    ['wildcard', { 'detail-type': [{ wildcard: 'Order*ed' }] }, true],
    ['suffix, ignoring case', { detail: { service: [{ suffix: { 'equals-ignore-case': 'BRIDGE' } }] } }, true],
    ['a nested pattern against an array of objects matches when any object does', { detail: { items: { sku: ['mug'], quantity: [2] } } }, true],
    ['a nested pattern is matched per object of an array, not across them', { detail: { items: { sku: ['mug'], quantity: [1] } } }, false],
    ['exists on a field holding an object (exists looks at leaves only)', { detail: { customer: [{ exists: true }] } }, false],
    ['exists: false on a field holding an object', { detail: { customer: [{ exists: false }] } }, true],
    ['anything-but on a field holding an object', { detail: { customer: [{ 'anything-but': 'x' }] } }, false],
    ['a field named as an Object.prototype member is not there', { detail: { constructor: [{ exists: true }], toString: [{ exists: false }] } }, false],
    ['a field named as an Object.prototype member, exists: false', { detail: { constructor: [{ exists: false }] } }, true],
    ['wildcard with an escaped asterisk and backslash', { detail: { file: [{ wildcard: 'a\\*b\\\\c' }] } }, true],
    ['an escaped asterisk is not a wildcard', { detail: { file: [{ wildcard: 'a\\*' }] } }, false],
    ['wildcard across a newline', { detail: { text: [{ wildcard: 'line 1*2' }] } }, true],
    ['$or, one alternative matching', { $or: [{ source: ['shop.Customer'] }, { detail: { version: [3] } }] }, true],
    ['$or, none matching', { $or: [{ source: ['shop.Customer'] }, { detail: { version: [4] } }] }, false],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesEventPattern(pattern, event)).toBe(expected);
  });

  test('fails on an operator it does not support, instead of not matching', () => {
    expect(() => matchesEventPattern({ detail: { ip: [{ cidr: '10.0.0.0/24' }] } }, { detail: { ip: '10.0.0.1' } }))
      .toThrow('Event pattern: the cidr operator is not supported by the local runtime.');
  });

  test('fails on a condition that is neither an array nor an object', () => {
    expect(() => matchesEventPattern({ source: 'shop.Order' }, event)).toThrow(/must be an array or an object/);
  });
});
