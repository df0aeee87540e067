import { randomUUID } from 'node:crypto';
import { WorkerRpc } from './worker-rpc';
import { namedParameters } from '../sql/sql-text';
import type { DataApiArray, DataApiColumn, DataApiField, DataApiParameter } from '../sql/data-api-values';

/** A failure the local Data API answers as AWS does: the error type (`BadRequestException`, ...) and its message. */
export class LocalDataApiError extends Error {
  constructor(public readonly errorType: string, message: string) {
    super(message);
    this.name = errorType;
  }
}

/** What ExecuteStatement answers. */
export interface LocalStatementResult {
  readonly records?: DataApiField[][];
  readonly columnMetadata?: DataApiColumn[];
  readonly numberOfRecordsUpdated: number;
}

/** What the worker answers for a statement. */
interface PgResult {
  readonly rows: unknown[][];
  readonly fields: readonly { readonly name: string; readonly dataTypeID: number }[];
  readonly affectedRows: number;
}

// Runs in the worker: PGlite (it imports modules dynamically, which jest's module system refuses), one
// session, answering one statement per message. Types in textTypes come back as PostgreSQL's text.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const parsers = Object.fromEntries(workerData.textTypes.map((type) => [type, (text) => text]));
let pg;
const ready = (async () => {
  const { PGlite } = createRequire(workerData.resolveFrom)('@electric-sql/pglite');
  pg = new PGlite();
  await pg.waitReady;
  await pg.exec("SET TIME ZONE 'UTC'");
})();
parentPort.on('message', async ({ id, text, values, types }) => {
  try {
    await ready;
    if (text === undefined) return parentPort.postMessage({ id, ok: true, value: null });
    const result = await pg.query(text, values, { rowMode: 'array', paramTypes: types, parsers });
    parentPort.postMessage({ id, ok: true, value: { rows: result.rows, fields: result.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })), affectedRows: result.affectedRows ?? 0 } });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: { message: error && error.message ? error.message : String(error), code: error && error.code } });
  }
});
`;

/** A transaction left open this long without a statement is rolled back, as the Data API does (after 3 minutes there): a crashed function must not hold the database. */
const IDLE_TRANSACTION_MS = 30_000;

/** PostgreSQL types whose text the Data API passes as it is: PGlite would parse them into Dates or objects. */
const TEXT_TYPES = [1082, 1083, 1114, 1184, 1266, 1186, 114, 3802, 1700, 2950];
const BOOL = 16;
const INTEGERS = new Set([20, 21, 23, 26]);
const FLOATS = new Set([700, 701]);
const BYTEA = 17;

/** The PostgreSQL type a parameter is sent as: a `stringValue` is text (as the Data API sends it), a typeHint names its type. */
function parameterType(parameter: DataApiParameter): number {
  switch (parameter.typeHint) {
    case 'TIMESTAMP': return 1114;
    case 'DATE': return 1082;
    case 'TIME': return 1083;
    case 'UUID': return 2950;
    // JSON and DECIMAL: the context decides (json or jsonb; numeric or an integer column).
    case 'JSON': case 'DECIMAL': return 0;
    default:
  }
  const { value } = parameter;
  if (value.booleanValue !== undefined) return BOOL;
  if (value.longValue !== undefined) return 20;
  if (value.doubleValue !== undefined) return 701;
  if (value.blobValue !== undefined) return BYTEA;
  if (value.stringValue !== undefined) return 25;
  return 0;
}

function parameterValue(parameter: DataApiParameter): unknown {
  const { value } = parameter;
  if (value.isNull) return null;
  if (value.blobValue !== undefined) return typeof value.blobValue === 'string' ? Buffer.from(value.blobValue, 'base64') : value.blobValue;
  return value.booleanValue ?? value.longValue ?? value.doubleValue ?? value.stringValue ?? null;
}

function toField(value: unknown, typeId: number): DataApiField {
  if (value === null || value === undefined) return { isNull: true };
  if (typeId === BOOL) return { booleanValue: Boolean(value) };
  if (INTEGERS.has(typeId)) return { longValue: Number(value) };
  if (FLOATS.has(typeId)) return { doubleValue: Number(value) };
  if (value instanceof Uint8Array) return { blobValue: value };
  if (Array.isArray(value)) return { arrayValue: toArray(value) };
  return { stringValue: typeof value === 'string' ? value : JSON.stringify(value) };
}

function toArray(values: unknown[]): DataApiArray {
  if (values.some(Array.isArray)) return { arrayValues: values.map((v) => toArray(Array.isArray(v) ? v : [v])) };
  if (values.every((v) => typeof v === 'boolean')) return { booleanValues: values as boolean[] };
  if (values.every((v) => typeof v === 'number' && Number.isInteger(v))) return { longValues: values as number[] };
  if (values.every((v) => typeof v === 'number')) return { doubleValues: values as number[] };
  return { stringValues: values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) };
}

/**
 * One database of a local run: PostgreSQL itself (PGlite, compiled to WebAssembly, in this
 * process), answering as the RDS Data API does. PGlite is one session, so one transaction runs at
 * a time: a statement or a transaction waits for the one before to end. Parameters are bound
 * with the types the Data API gives them, so SQL that needs a cast in AWS needs it here too.
 */
export class LocalSqlDatabase {
  /** Starts an empty database. PGlite is loaded only when an app has a SQL read model. */
  static async start(): Promise<LocalSqlDatabase> {
    const pg = new WorkerRpc('the local PostgreSQL (PGlite)', WORKER_SOURCE, { resolveFrom: __filename, textTypes: TEXT_TYPES });
    try {
      await pg.call({});
    } catch (error) {
      await pg.stop();
      throw new Error(`cdk-cqrs local: this app has a SQL read model, which runs locally on PGlite, and PGlite did not start: ${error instanceof Error ? error.message : String(error)}. Install it with \`npm install --save-dev @electric-sql/pglite\`.`);
    }
    return new LocalSqlDatabase(pg);
  }

  /** The end of the last holder's turn: each waits for it, then becomes it. */
  private turn: Promise<void> = Promise.resolve();
  private readonly transactions = new Map<string, { readonly release: () => void; timer: NodeJS.Timeout }>();

  private constructor(private readonly pg: WorkerRpc) {}

  /** Waits for the database, then holds it until `release` is called. */
  private async acquire(): Promise<() => void> {
    let release!: () => void;
    const previous = this.turn;
    this.turn = new Promise<void>((resolve) => { release = resolve; });
    await previous;
    return release;
  }

  async beginTransaction(): Promise<string> {
    const release = await this.acquire();
    try {
      await this.query('BEGIN', [], []);
    } catch (error) {
      release();
      throw error;
    }
    const transactionId = randomUUID();
    this.transactions.set(transactionId, { release, timer: this.idleTimer(transactionId) });
    return transactionId;
  }

  async endTransaction(transactionId: string, how: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    const transaction = this.open(transactionId);
    this.transactions.delete(transactionId);
    clearTimeout(transaction.timer);
    try {
      await this.query(how, [], []);
    } finally {
      transaction.release();
    }
  }

  async execute(sqlText: string, parameters: readonly DataApiParameter[], transactionId?: string): Promise<LocalStatementResult> {
    const { text, values, types } = bindNamed(sqlText, parameters);
    if (transactionId !== undefined) {
      const transaction = this.open(transactionId);
      clearTimeout(transaction.timer);
      transaction.timer = this.idleTimer(transactionId);
      return this.run(text, values, types);
    }
    const release = await this.acquire();
    try {
      return await this.run(text, values, types);
    } finally {
      release();
    }
  }

  async stop(): Promise<void> {
    for (const [transactionId] of this.transactions) await this.endTransaction(transactionId, 'ROLLBACK').catch(() => undefined);
    await this.pg.stop();
  }

  private query(text: string, values: unknown[], types: number[]): Promise<PgResult> {
    return this.pg.call({ text, values, types }) as Promise<PgResult>;
  }

  private async run(text: string, values: unknown[], types: number[]): Promise<LocalStatementResult> {
    let result;
    try {
      result = await this.query(text, values, types);
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      throw new LocalDataApiError('BadRequestException', `ERROR: ${message ?? String(error)}${code ? `; SQLState: ${code}` : ''}`);
    }
    if (result.fields.length === 0) return { numberOfRecordsUpdated: result.affectedRows ?? 0 };
    return {
      records: result.rows.map((row) => row.map((value, index) => toField(value, result.fields[index].dataTypeID))),
      columnMetadata: result.fields.map((field) => ({ name: field.name, label: field.name, typeName: typeNameOf(field.dataTypeID) })),
      numberOfRecordsUpdated: 0,
    };
  }

  private open(transactionId: string) {
    const transaction = this.transactions.get(transactionId);
    if (!transaction) throw new LocalDataApiError('NotFoundException', `Transaction ${transactionId} is not found (it ended, or was rolled back after ${IDLE_TRANSACTION_MS / 1000} s without a statement).`);
    return transaction;
  }

  private idleTimer(transactionId: string): NodeJS.Timeout {
    const timer = setTimeout(() => { void this.endTransaction(transactionId, 'ROLLBACK').catch(() => undefined); }, IDLE_TRANSACTION_MS);
    timer.unref();
    return timer;
  }
}

/** The names the Data API gives the types whose values the driver reads by name (JSON); others by their family. */
function typeNameOf(typeId: number): string {
  return ({ 114: 'json', 3802: 'jsonb', 1700: 'numeric', 1184: 'timestamptz', 1114: 'timestamp', 1082: 'date', 16: 'bool', 20: 'int8', 21: 'int2', 23: 'int4', 25: 'text', 700: 'float4', 701: 'float8', 17: 'bytea', 2950: 'uuid' } as Record<number, string>)[typeId] ?? 'unknown';
}

/** The statement with its `:name` parameters as `$n`, and their values and types; a name used but not given is an error, as in AWS. */
function bindNamed(sqlText: string, parameters: readonly DataApiParameter[]): { text: string; values: unknown[]; types: number[] } {
  const byName = new Map(parameters.map((parameter) => [parameter.name, parameter]));
  const numbers = new Map<string, number>();
  const values: unknown[] = [];
  const types: number[] = [];
  let text = '';
  let last = 0;
  for (const found of namedParameters(sqlText)) {
    const parameter = byName.get(found.name);
    if (!parameter) throw new LocalDataApiError('BadRequestException', `No value specified for parameter: ${found.name}`);
    let number = numbers.get(found.name);
    if (number === undefined) {
      values.push(parameterValue(parameter));
      types.push(parameterType(parameter));
      number = values.length;
      numbers.set(found.name, number);
    }
    text += `${sqlText.slice(last, found.offset)}$${number}`;
    last = found.offset + found.length;
  }
  return { text: text + sqlText.slice(last), values, types };
}
