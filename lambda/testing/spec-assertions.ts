import { AssertionError, deepStrictEqual } from 'node:assert';

/**
 * A failed spec. Not node's AssertionError: jest takes any error with that name for one of
 * `assert`'s, diffs its (absent) `actual` and `expected`, and prints "Compared values have no
 * visual difference" around the real diff, which is in the message.
 */
export class SpecFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecFailure';
  }
}

/** The first line of a failure: `Given A, B, when C:` for an aggregate, `Given A, B:` for a projection. */
export function describeScenario(events: readonly { readonly type: unknown }[], command?: { readonly type: unknown }): string {
  const given = events.length === 0 ? 'no events' : events.map((event) => String(event.type)).join(', ');
  return command === undefined ? `Given ${given}:` : `Given ${given}, when ${String(command.type)}:`;
}

/** Fails the spec, as any test runner reports a thrown error. */
export function fail(message: string): never {
  throw new SpecFailure(message);
}

/** An asymmetric matcher of jest or vitest (`expect.any(String)`, `expect.objectContaining(...)`). */
interface AsymmetricMatcher {
  asymmetricMatch(other: unknown): boolean;
}

function isAsymmetricMatcher(value: unknown): value is AsymmetricMatcher {
  return typeof value === 'object' && value !== null && typeof (value as Partial<AsymmetricMatcher>).asymmetricMatch === 'function';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * `expected` with each asymmetric matcher that `actual` satisfies replaced by the actual value at
 * its place, so that a strict deep-equal passes exactly when every matcher and every other value
 * matches, and a diff shows only what does not. Keys are own keys only.
 */
function resolveMatchers(actual: unknown, expected: unknown): unknown {
  if (isAsymmetricMatcher(expected)) return expected.asymmetricMatch(actual) ? actual : expected;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return expected.map((item: unknown, index) => (index < actual.length ? resolveMatchers(actual[index], item) : item));
  }
  if (isPlainObject(expected) && isPlainObject(actual)) {
    const resolved: Record<string, unknown> = Object.create(Object.getPrototypeOf(expected) as object | null) as Record<string, unknown>;
    for (const key of Object.keys(expected)) {
      const value = Object.prototype.hasOwnProperty.call(actual, key) ? resolveMatchers(actual[key], expected[key]) : expected[key];
      // defineProperty: a key named __proto__ is data here, not the prototype.
      Object.defineProperty(resolved, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return resolved;
  }
  return expected;
}

/**
 * Unless `actual` equals `expected` (strictly and deeply; an asymmetric matcher in `expected`
 * matches what it accepts), fails with `message` followed by node's `+ actual - expected` diff.
 */
export function deepEqualOrFail(actual: unknown, expected: unknown, message: string): void {
  try {
    deepStrictEqual(actual, resolveMatchers(actual, expected));
  } catch (error) {
    // Keep node's diff, after our description of the scenario.
    const diff = error instanceof AssertionError ? error.message.split('\n').slice(1).join('\n') : '';
    throw new SpecFailure(`${message}:\n${diff.trim()}`);
  }
}
