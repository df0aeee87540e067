/**
 * DynamoDB's size of an item, as AWS documents it (an upper bound): names and strings count their
 * UTF-8 bytes, a number 1 byte per two significant digits plus 1, a boolean or null 1, a map or
 * list 3 bytes plus 1 per element. The JSON size of a value is no bound for it: a list of empty
 * maps is a third larger in DynamoDB than in JSON.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */

/** DynamoDB refuses an item over 400 KB. */
export const MAX_ITEM_BYTES = 400 * 1024;

/** DynamoDB refuses a transaction whose items add up to more than 4 MB. */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Significant digits of a number's decimal form (leading and trailing zeros trimmed), counted high. */
const significantDigits = (value: number): number => {
  const mantissa = Math.abs(value).toExponential().split('e')[0].replace('.', '');
  return Math.max(1, mantissa.replace(/0+$/, '').length);
};

export function valueBytes(value: unknown): number {
  if (value === undefined) return 0;
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return Math.ceil(significantDigits(value) / 2) + 1 + (value < 0 ? 1 : 0);
  if (Array.isArray(value)) return value.reduce<number>((sum, element) => (element === undefined ? sum : sum + 1 + valueBytes(element)), 3);
  if (typeof value === 'object') {
    return Object.entries(value).reduce<number>((sum, [key, element]) => (element === undefined ? sum : sum + 1 + utf8(key) + valueBytes(element)), 3);
  }
  // Not storable at all: storableIssues reports it; count its text so that it is not free.
  return utf8(String(value));
}

/** The size of an item: each attribute's name and value. */
export const itemBytes = (item: Readonly<Record<string, unknown>>): number =>
  Object.entries(item).reduce((sum, [name, value]) => (value === undefined ? sum : sum + utf8(name) + valueBytes(value)), 0);
