/**
 * EventBridge event-pattern matching, in process, so the local runtime routes events with the
 * very patterns that the synthesized rules hold.
 *
 * Covers exact values, `prefix`, `suffix`, `anything-but` (values, `prefix`, `suffix`),
 * `numeric`, `exists`, `equals-ignore-case`, `wildcard` and `$or`. An operator outside these
 * (`cidr`) is an error rather than a silent mismatch.
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
    const present = isObject(event) && field in event;
    const value = present ? event[field] : undefined;
    if (isObject(condition)) return present && isObject(value) ? matchesEventPattern(condition, value) : false;
    if (!Array.isArray(condition)) throw new Error(`Event pattern: the condition on ${field} must be an array or an object (given ${JSON.stringify(condition)}).`);
    return condition.some((matcher) => matchesValue(matcher, present, value));
  });
}

function matchesValue(matcher: Json, present: boolean, value: Json): boolean {
  if (isObject(matcher) && 'exists' in matcher) return matcher.exists === present;
  if (!present) return false;
  const values = Array.isArray(value) ? value : [value];
  // As in EventBridge, an array in the event matches when any of its elements does.
  if (isObject(matcher) && 'anything-but' in matcher) return values.some((v) => !matchesOperand(matcher['anything-but'], v));
  return values.some((v) => matchesOperand(matcher, v));
}

/** One matcher against one scalar value. */
function matchesOperand(matcher: Json, value: Json): boolean {
  if (Array.isArray(matcher)) return matcher.some((m) => matchesOperand(m, value));
  if (!isObject(matcher)) return matcher === value;
  const [operator, operand] = Object.entries(matcher)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && (isObject(operand) && typeof operand['equals-ignore-case'] === 'string'
        ? value.toLowerCase().startsWith(operand['equals-ignore-case'].toLowerCase())
        : typeof operand === 'string' && value.startsWith(operand));
    case 'suffix':
      return typeof value === 'string' && typeof operand === 'string' && value.endsWith(operand);
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

function wildcardToRegExp(wildcard: string): RegExp {
  const escaped = wildcard.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${escaped}$`);
}
