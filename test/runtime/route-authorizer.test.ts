import { claimAsString, scopesOf } from '../../lambda/local/route-authorizer';

describe('JWT claims as API Gateway passes them', () => {
  test('every claim a string: numbers and booleans written out, arrays as [a b], objects as map[k:v]', () => {
    expect([claimAsString('x'), claimAsString(3), claimAsString(true), claimAsString(['a', 'b']), claimAsString({ z: 1, a: ['x'] })])
      .toEqual(['x', '3', 'true', '[a b]', 'map[a:[x] z:1]']);
  });

  test('scopes come from scope (space-separated) or scp (a list or a string)', () => {
    expect(scopesOf({ scope: 'a b' })).toEqual(['a', 'b']);
    expect(scopesOf({ scp: ['c', 'd'] })).toEqual(['c', 'd']);
    expect(scopesOf({ scp: 'e' })).toEqual(['e']);
    expect(scopesOf({})).toEqual([]);
  });
});
