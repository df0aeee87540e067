/**
 * The values of the RDS Data API's wire format (PostgreSQL), both ways, in one place: the driver
 * sends parameters and reads fields with these, and the local Data API answers in them.
 */

/** A parameter value as the Data API takes it: exactly one member is set. */
export interface DataApiValue {
  readonly isNull?: boolean;
  readonly booleanValue?: boolean;
  readonly longValue?: number;
  readonly doubleValue?: number;
  readonly stringValue?: string;
  readonly blobValue?: Uint8Array;
}

/** How the database reads a `stringValue` parameter (`typeHint`): without one it is text. */
export type DataApiTypeHint = 'JSON' | 'DECIMAL' | 'TIMESTAMP' | 'DATE' | 'TIME' | 'UUID';

/** A named parameter: `:name` in the SQL text. */
export interface DataApiParameter {
  readonly name: string;
  readonly value: DataApiValue;
  readonly typeHint?: DataApiTypeHint;
}

/** A field of a result record. Arrays come as `arrayValue`. */
export interface DataApiField extends DataApiValue {
  readonly arrayValue?: DataApiArray;
}

export interface DataApiArray {
  readonly booleanValues?: readonly boolean[];
  readonly longValues?: readonly number[];
  readonly doubleValues?: readonly number[];
  readonly stringValues?: readonly string[];
  readonly arrayValues?: readonly DataApiArray[];
}

/** What the Data API says of a result column (`includeResultMetadata`). */
export interface DataApiColumn {
  readonly name?: string;
  readonly label?: string;
  /** PostgreSQL's type name: `int4`, `numeric`, `jsonb`, `timestamptz`, ... */
  readonly typeName?: string;
}

/** The placeholder of the `index`-th parameter (0-based) in SQL sent to the Data API. */
export const parameterName = (index: number): string => `p${index + 1}`;

/**
 * A JavaScript value as a Data API parameter. Exact by design: an integer beyond 2^53 - 1 (which
 * a `longValue` would round) and a bigint go as DECIMAL text; an object or array goes as JSON; a
 * Date as a UTC TIMESTAMP. What has no exact form (NaN, Infinity, a function, a symbol) is refused.
 */
export function toDataApiParameter(name: string, value: unknown): DataApiParameter {
  if (value === null || value === undefined) return { name, value: { isNull: true } };
  switch (typeof value) {
    case 'string':
      return { name, value: { stringValue: value } };
    case 'boolean':
      return { name, value: { booleanValue: value } };
    case 'bigint':
      return { name, value: { stringValue: value.toString() }, typeHint: 'DECIMAL' };
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cdk-cqrs: SQL parameter :${name} is ${value}, which PostgreSQL's numbers cannot hold exactly; send null or a finite number.`);
      if (Number.isInteger(value)) return Number.isSafeInteger(value) ? { name, value: { longValue: value } } : { name, value: { stringValue: BigInt(value).toString() }, typeHint: 'DECIMAL' };
      return { name, value: { doubleValue: value } };
    case 'object':
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new TypeError(`cdk-cqrs: SQL parameter :${name} is an invalid Date.`);
        return { name, value: { stringValue: value.toISOString().replace('T', ' ').replace('Z', '') }, typeHint: 'TIMESTAMP' };
      }
      if (value instanceof Uint8Array) return { name, value: { blobValue: value } };
      return { name, value: { stringValue: JSON.stringify(value) }, typeHint: 'JSON' };
    default:
      throw new TypeError(`cdk-cqrs: SQL parameter :${name} is a ${typeof value}, which has no SQL value.`);
  }
}

/** PostgreSQL types whose text the driver parses (JSON); every other text stays text (numeric, dates: exact as the database wrote them). */
const JSON_TYPES = new Set(['json', 'jsonb']);

/** A result field as a JavaScript value: null, a boolean, a number (integers and floats), a string (text, numeric, dates, uuid), parsed JSON, bytes or an array. */
export function fromDataApiField(field: DataApiField, column: DataApiColumn | undefined): unknown {
  if (field.isNull) return null;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.blobValue !== undefined) return field.blobValue;
  if (field.arrayValue !== undefined) return fromDataApiArray(field.arrayValue);
  if (field.stringValue !== undefined) return JSON_TYPES.has((column?.typeName ?? '').toLowerCase()) ? JSON.parse(field.stringValue) as unknown : field.stringValue;
  return null;
}

function fromDataApiArray(array: DataApiArray): unknown[] {
  return [...(array.booleanValues ?? array.longValues ?? array.doubleValues ?? array.stringValues ?? (array.arrayValues ?? []).map(fromDataApiArray))];
}
