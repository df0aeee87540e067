import { AssertionError, deepStrictEqual } from 'node:assert';

/** The first line of a failure: `Given A, B, when C:` for an aggregate, `Given A, B:` for a projection. */
export function describeScenario(events: readonly { readonly type: unknown }[], command?: { readonly type: unknown }): string {
  const given = events.length === 0 ? 'no events' : events.map((event) => String(event.type)).join(', ');
  return command === undefined ? `Given ${given}:` : `Given ${given}, when ${String(command.type)}:`;
}

/** Fails the spec: an AssertionError, as any test runner reports it. */
export function fail(message: string): never {
  throw new AssertionError({ message });
}

/** Unless the two are strictly deep-equal, fails with `message` followed by node's `+ actual - expected` diff. */
export function deepEqualOrFail(actual: unknown, expected: unknown, message: string): void {
  try {
    deepStrictEqual(actual, expected);
  } catch (error) {
    // Keep node's diff, after our description of the scenario.
    const diff = error instanceof AssertionError ? error.message.split('\n').slice(1).join('\n') : '';
    throw new AssertionError({ message: `${message}:\n${diff.trim()}` });
  }
}
