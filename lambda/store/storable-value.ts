import { ValidationError, type ValidationIssue } from '../shared/errors';
import { isWellFormed } from '../shared/guards';

/**
 * What DynamoDB stores and gives back exactly, as the document client marshalls it. A value
 * outside these rules is either refused by DynamoDB after the command was decided (a fault
 * instead of an answer), or stored as something else (an integer past 2^53 comes back changed,
 * or cannot be read back at all), so commands and their events are checked before any write.
 */
export const STORABLE = {
  /** DynamoDB numbers lie between 1e-130 and 1e126 in magnitude. */
  minMagnitude: 1e-130,
  maxMagnitude: 1e126,
  /** DynamoDB nests maps and lists 32 levels deep at most. */
  maxDepth: 32,
} as const;

/**
 * Keys the AWS SDK's marshaller misreads (measured against DynamoDB Local): it builds a map by
 * assigning `map[key]`, so `__proto__` sets a prototype instead (the field is lost, or the write
 * refused); and it picks an object's type by `value.constructor.name`, so `{ constructor: { name:
 * 'String' } }` was stored as the string "[object Object]" and `{ constructor: 1 }` refused.
 */
const MISREAD_KEYS = new Map<string, string>([
  ['__proto__', 'the AWS SDK sets as a prototype instead of storing it'],
  ['constructor', "the AWS SDK reads as the object's type and stores the object as something else"],
]);

type Path = readonly (string | number)[];

const isPlainObject = (value: object): boolean => {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** Why a number cannot be stored exactly, or undefined when it can. */
function numberProblem(value: number): string | undefined {
  if (!Number.isFinite(value)) return `${value} is not a finite number`;
  if (Number.isInteger(value)) return Number.isSafeInteger(value) ? undefined : `${value} is an integer beyond 2^53 - 1, which does not round-trip exactly`;
  const magnitude = Math.abs(value);
  if (magnitude < STORABLE.minMagnitude) return `${value} is smaller in magnitude than DynamoDB's 1e-130`;
  return undefined;
}

/**
 * The issues of a value that is to be stored (at most `limit` of them, so that a huge bad input
 * costs little): JSON values only (plain objects, arrays, strings, finite numbers, booleans,
 * null; `undefined` fields are left out, but no list holds one), well-formed Unicode in strings and non-empty keys, numbers that
 * round-trip exactly, at most 32 levels of nesting.
 */
export function storableIssues(value: unknown, path: Path = [], limit = 10): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const visit = (current: unknown, at: Path, depth: number): void => {
    if (issues.length >= limit) return;
    const add = (message: string) => issues.push({ message, path: at });
    switch (typeof current) {
      case 'undefined': case 'boolean': return;
      case 'string':
        if (!isWellFormed(current)) add('is not well-formed Unicode (a lone surrogate)');
        return;
      case 'number': {
        const problem = numberProblem(current);
        if (problem) add(problem);
        return;
      }
      case 'object': {
        if (current === null) return;
        if (depth >= STORABLE.maxDepth) {
          add(`nests deeper than DynamoDB's ${STORABLE.maxDepth} levels`);
          return;
        }
        if (Array.isArray(current)) {
          // Not forEach, which skips holes: a hole is undefined too. A list cannot hold undefined: the AWS SDK drops
          // it, and the elements after it move down one ([1, undefined, 3] was stored as [1, 3]).
          for (let index = 0; index < current.length && issues.length < limit; index += 1) {
            const element: unknown = current[index];
            if (element === undefined) issues.push({ message: 'is undefined, which a DynamoDB list cannot hold (the AWS SDK drops it and moves the rest down): use null', path: [...at, index] });
            else visit(element, [...at, index], depth + 1);
          }
          return;
        }
        if (!isPlainObject(current)) {
          add(`is a ${current.constructor?.name ?? 'non-plain object'}, not a JSON object`);
          return;
        }
        for (const [key, element] of Object.entries(current)) {
          if (key.length === 0) add('has an empty key, which DynamoDB refuses as an attribute name');
          else if (!isWellFormed(key)) add('has a key that is not well-formed Unicode (a lone surrogate)');
          else if (MISREAD_KEYS.has(key)) add(`has a key named ${key}, which ${MISREAD_KEYS.get(key)}: rename the field`);
          else visit(element, [...at, key], depth + 1);
        }
        return;
      }
      default:
        add(`is a ${typeof current}, which is not a JSON value`);
    }
  };
  visit(value, path, 0);
  return issues;
}

/** Throws a ValidationError listing the issues, led by the first. */
export function rejectUnstorable(issues: readonly ValidationIssue[], what: string): void {
  if (issues.length === 0) return;
  const [first] = issues;
  throw new ValidationError(
    `${what} cannot be stored exactly: ${first.path?.join('.') ?? what} ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more issues)` : ''}.`,
    issues,
  );
}
