/** A JSON-style object: not null, not an array. Input from callers, queues and DynamoDB is checked with it. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The function a definition's map holds under `name`, looked up as an own property only.
 *
 * Names come from callers and events: `constructor`, `toString` or `__proto__` must not reach
 * `Object`'s members, which would run as a handler (a command of type `constructor` would
 * append whatever its payload lists).
 */
export function ownFunction<Fn extends (...args: never[]) => unknown>(map: Readonly<Record<string, Fn | undefined>> | undefined, name: string): Fn | undefined {
  if (map === undefined || !Object.prototype.hasOwnProperty.call(map, name)) return undefined;
  const value = map[name];
  return typeof value === 'function' ? value : undefined;
}

/** The own property of `map` named `name`, or undefined (see `ownFunction`). */
export function ownValue<Value>(map: Readonly<Record<string, Value>> | undefined, name: string): Value | undefined {
  return map !== undefined && Object.prototype.hasOwnProperty.call(map, name) ? map[name] : undefined;
}

/** An error as one line of a log: `Name: message`. */
export const describeError = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * False for a string with a lone surrogate: UTF-8 cannot encode it, so DynamoDB and JSON
 * encoders turn it into U+FFFD and two different ids could become one key.
 */
export const isWellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);
