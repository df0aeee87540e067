/**
 * EventBridge event-pattern matching, in process, so the local runtime routes events with the
 * very patterns that the synthesized rules hold.
 *
 * Covers exact values, `prefix` and `suffix` (each also with `equals-ignore-case`),
 * `anything-but` (values, `prefix`, `suffix`), `numeric`, `exists`, `equals-ignore-case`,
 * `wildcard` and `$or`, with arrays in the event flattened as EventBridge does. An operator
 * outside these (`cidr`) is an error rather than a silent mismatch.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
export type EventPattern = { readonly [field: string]: unknown };

type Json = unknown;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** True when the event matches the pattern. */
export function matchesEventPattern(pattern: EventPattern, event: Json): boolean {
  return Object.entries(pattern).every(([field, condition]) => {
    if (field === '$or') {
      if (!Array.isArray(condition)) throw new Error('Event pattern: $or takes an array of patterns.');
      return condition.some((alternative) => matchesEventPattern(alternative as EventPattern, event));
    }
    const present = isObject(event) && Object.hasOwn(event, field);
    // As in EventBridge, arrays in the event are flattened: a pattern matches when any element does.
    const elements = present ? [event[field]].flat(Infinity) : [];
    if (isObject(condition)) return elements.some((element) => isObject(element) && matchesEventPattern(condition, element));
    if (!Array.isArray(condition)) throw new Error(`Event pattern: the condition on ${field} must be an array or an object (given ${JSON.stringify(condition)}).`);
    // Value matchers (exists included) look at leaf values only: a field that holds an object has none.
    const leaves = elements.filter((element) => !isObject(element));
    return condition.some((matcher) => matchesLeaves(matcher, leaves));
  });
}

function matchesLeaves(matcher: Json, leaves: readonly Json[]): boolean {
  if (isObject(matcher) && 'exists' in matcher) return matcher.exists === (leaves.length > 0);
  if (isObject(matcher) && 'anything-but' in matcher) return leaves.some((leaf) => !matchesOperand(matcher['anything-but'], leaf));
  return leaves.some((leaf) => matchesOperand(matcher, leaf));
}

/** A string operand, or the string of `{ "equals-ignore-case": ... }`, with its comparison. */
function stringOperand(operand: Json): { readonly text: string; readonly ignoreCase: boolean } | undefined {
  if (typeof operand === 'string') return { text: operand, ignoreCase: false };
  if (isObject(operand) && typeof operand['equals-ignore-case'] === 'string') return { text: operand['equals-ignore-case'], ignoreCase: true };
  return undefined;
}

/** `prefix` and `suffix`, each with or without `equals-ignore-case`. */
function matchesAffix(operand: Json, value: Json, test: (value: string, affix: string) => boolean): boolean {
  const affix = stringOperand(operand);
  if (typeof value !== 'string' || !affix) return false;
  return affix.ignoreCase ? test(value.toLowerCase(), affix.text.toLowerCase()) : test(value, affix.text);
}

/** One matcher against one scalar value. */
function matchesOperand(matcher: Json, value: Json): boolean {
  if (Array.isArray(matcher)) return matcher.some((m) => matchesOperand(m, value));
  if (!isObject(matcher)) return matcher === value;
  const [operator, operand] = Object.entries(matcher)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return matchesAffix(operand, value, (text, affix) => text.startsWith(affix));
    case 'suffix':
      return matchesAffix(operand, value, (text, affix) => text.endsWith(affix));
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof operand === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && typeof operand === 'string' && wildcardToRegExp(operand).test(value);
    case 'numeric':
      return typeof value === 'number' && Array.isArray(operand) && matchesNumeric(operand, value);
    default:
      throw new Error(`Event pattern: the ${operator ?? 'empty'} operator is not supported by the local runtime.`);
  }
}

function matchesNumeric(conditions: readonly Json[], value: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const [op, bound] = [conditions[i], conditions[i + 1]];
    if (typeof bound !== 'number') throw new Error(`Event pattern: numeric takes pairs of an operator and a number (given ${JSON.stringify(conditions)}).`);
    const holds = op === '=' ? value === bound : op === '<' ? value < bound : op === '<=' ? value <= bound
      : op === '>' ? value > bound : op === '>=' ? value >= bound : undefined;
    if (holds === undefined) throw new Error(`Event pattern: unknown numeric operator ${JSON.stringify(op)}.`);
    if (!holds) return false;
  }
  return true;
}

/** `*` matches any characters, newlines included; a backslash before `*` or another backslash makes it literal. */
function wildcardToRegExp(wildcard: string): RegExp {
  const source = wildcard.replace(/\\[*\\]|\*|[.+?^${}()|[\]\\]/g, (token) => (token === '*' ? '.*' : `\\${token.at(-1)}`));
  return new RegExp(`^${source}$`, 's');
}
