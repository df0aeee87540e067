/**
 * DynamoDB's size of an item, as AWS documents it and DynamoDB Local measures it (test/dynamodb/item-size-limit.test.ts
 * checks that an item of exactly 400 KB by this count is taken and one a byte larger refused): names and strings
 * count their UTF-8 bytes, a number 1 byte per pair of significant digits plus 1, a boolean or null 1, a map or list
 * 3 bytes plus 1 per element. The JSON size of a value is no bound for it: a list of empty maps is a third larger
 * in DynamoDB than in JSON.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */

/** DynamoDB refuses an item over 400 KB. */
export const MAX_ITEM_BYTES = 400 * 1024;

/** DynamoDB refuses a transaction whose items (and, DynamoDB Local measures, their conditions: conditionBytes) add up to more than 4 MB. */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * A number's bytes: its significant digits in base-100 pairs aligned on the decimal point, plus 1 (and 1 for a
 * minus; zero is 1 byte). Aligned, not counted: 7.5 is the pairs 07 and 50, so 3 bytes where "two digits a byte" says 2, and an
 * item counted so passed our limit check and was then refused by DynamoDB.
 */
function numberBytes(value: number): number {
  // Zero has no significant digit: its byte is the 1.
  if (value === 0) return 1;
  // toExponential() with no argument gives the shortest digits that read back as the number: no trailing zeros.
  const [mantissa, exponent] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '').length;
  // The powers of ten of the first and last significant digits; a pair holds the powers 2k and 2k + 1.
  const first = Number(exponent);
  const last = first - digits + 1;
  const pairs = Math.floor(first / 2) - Math.floor(last / 2) + 1;
  return pairs + 1 + (value < 0 ? 1 : 0);
}

export function valueBytes(value: unknown): number {
  if (value === undefined) return 0;
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return numberBytes(value);
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

/** A write's condition, as a Put in a transaction carries it. */
export interface ConditionSize {
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeNames?: Readonly<Record<string, string>>;
  readonly ExpressionAttributeValues?: Readonly<Record<string, unknown>>;
}

/**
 * What a Put's condition adds to its transaction's size. DynamoDB counts the expression and, at each place it
 * names one, the name or value it stands for, against the 4 MB as well as the items: measured on DynamoDB Local,
 * which refused a transaction of items adding up to exactly 4 MB because of their conditions
 * (test/dynamodb/transaction-size.test.ts). A placeholder in no map counts nothing: DynamoDB refuses the write anyway.
 */
export function conditionBytes(condition: ConditionSize): number {
  const expression = condition.ConditionExpression ?? '';
  const names = condition.ExpressionAttributeNames ?? {};
  const values = condition.ExpressionAttributeValues ?? {};
  let bytes = utf8(expression);
  for (const [placeholder] of expression.matchAll(/[#:][A-Za-z0-9_]+/g)) {
    // A placeholder in neither map is undefined in values, which counts 0 (no member of Object starts with # or :).
    bytes += Object.hasOwn(names, placeholder) ? utf8(names[placeholder]) : valueBytes(values[placeholder]);
  }
  return bytes;
}
