import {
  BeginTransactionCommand, CommitTransactionCommand, ExecuteStatementCommand, RollbackTransactionCommand,
  type ExecuteStatementCommandOutput, type RDSDataClient, type SqlParameter,
} from '@aws-sdk/client-rds-data';
import {
  CompiledQuery, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler,
  type DatabaseConnection, type Dialect, type Driver, type Kysely, type QueryResult, type TransactionSettings,
} from 'kysely';
import { fromDataApiField, parameterName, toDataApiParameter, type DataApiColumn, type DataApiField } from './data-api-values';
import { retryDelayMs, sqlErrorOf } from './sql-errors';

/** Where a read model's database is: what every SQL function gets from its environment. */
export interface DataApiTarget {
  /** The Aurora cluster's ARN. */
  readonly resourceArn: string;
  /** The ARN of the secret the Data API connects with. */
  readonly secretArn: string;
  readonly database: string;
}

/**
 * Kysely on the RDS Data API (PostgreSQL): SQL goes out as text with named parameters (`:p1`),
 * each a typed Data API value (data-api-values.ts), and a transaction is the Data API's (its id
 * on every statement). No connection pool, no VPC: each statement is one HTTPS call.
 *
 * Not kysely-data-api: it sends a bigint as a double (rounding it) and reads a timestamptz by
 * appending `Z` to its text; this dialect is small and exact (docs/decisions.md).
 */
export class DataApiDialect implements Dialect {
  constructor(private readonly client: RDSDataClient, private readonly target: DataApiTarget) {}
  createAdapter() { return new PostgresAdapter(); }
  createDriver(): Driver { return new DataApiDriver(this.client, this.target); }
  createIntrospector(db: Kysely<unknown>) { return new PostgresIntrospector(db); }
  createQueryCompiler() { return new DataApiQueryCompiler(); }
}

/** PostgreSQL's compiler with the Data API's placeholders (`:p1`, `:p2`, ...) in place of `$1`. */
class DataApiQueryCompiler extends PostgresQueryCompiler {
  protected override getCurrentParameterPlaceholder(): string {
    return `:${parameterName(this.numParameters - 1)}`;
  }
}

class DataApiDriver implements Driver {
  constructor(private readonly client: RDSDataClient, private readonly target: DataApiTarget) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> { return new DataApiConnection(this.client, this.target); }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await (connection as DataApiConnection).begin(settings);
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> { await (connection as DataApiConnection).commit(); }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> { await (connection as DataApiConnection).rollback(); }
  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`SAVEPOINT ${quoteIdentifier(name)}`));
  }
  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`ROLLBACK TO SAVEPOINT ${quoteIdentifier(name)}`));
  }
  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`RELEASE SAVEPOINT ${quoteIdentifier(name)}`));
  }
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}

/** How long a statement waits, in all, for a paused cluster to resume before it fails (it resumes in about 15 s). */
const RESUME_WAIT_MS = 45_000;

/** One Data API "connection": the transaction it is in, if any. */
class DataApiConnection implements DatabaseConnection {
  private transactionId?: string;

  constructor(private readonly client: RDSDataClient, private readonly target: DataApiTarget) {}

  async begin(settings: TransactionSettings): Promise<void> {
    const { transactionId } = await this.send(() => this.client.send(new BeginTransactionCommand({
      resourceArn: this.target.resourceArn, secretArn: this.target.secretArn, database: this.target.database,
    })));
    this.transactionId = transactionId;
    // The first statement of the transaction, as PostgreSQL requires.
    const modes = [
      settings.isolationLevel ? `ISOLATION LEVEL ${settings.isolationLevel.toUpperCase()}` : undefined,
      settings.accessMode ? settings.accessMode.toUpperCase() : undefined,
    ].filter((mode) => mode !== undefined);
    if (modes.length === 0) return;
    try {
      await this.executeQuery(CompiledQuery.raw(`SET TRANSACTION ${modes.join(', ')}`));
    } catch (error) {
      // Kysely rolls back only a transaction whose begin succeeded: this one must not stay open.
      await this.rollback().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Commits. The transaction's id is kept until the commit is answered: a commit that failed
   * before it was applied is then rolled back (Kysely rolls back after a failed commit), rather
   * than left open holding its locks until the Data API times it out.
   */
  async commit(): Promise<void> {
    const transactionId = this.current('commit');
    await this.client.send(new CommitTransactionCommand({ resourceArn: this.target.resourceArn, secretArn: this.target.secretArn, transactionId }));
    this.transactionId = undefined;
  }

  async rollback(): Promise<void> {
    const transactionId = this.current('roll back');
    this.transactionId = undefined;
    await this.client.send(new RollbackTransactionCommand({ resourceArn: this.target.resourceArn, secretArn: this.target.secretArn, transactionId }));
  }

  async executeQuery<Row>(query: CompiledQuery): Promise<QueryResult<Row>> {
    const parameters = query.parameters.map((value, index) => toDataApiParameter(parameterName(index), value) as SqlParameter);
    const output = await this.send(() => this.client.send(new ExecuteStatementCommand({
      resourceArn: this.target.resourceArn, secretArn: this.target.secretArn, database: this.target.database,
      transactionId: this.transactionId, sql: query.sql, parameters, includeResultMetadata: true,
    })));
    return toQueryResult<Row>(output);
  }

  async *streamQuery<Row>(): AsyncIterableIterator<QueryResult<Row>> {
    throw new Error('cdk-cqrs: the RDS Data API does not stream results; page with limit and a cursor.');
  }

  /** The transaction being ended; a commit or rollback outside one is a bug in the caller. */
  private current(what: string): string {
    const transactionId = this.transactionId;
    if (transactionId === undefined) throw new Error(`cdk-cqrs: cannot ${what}: no transaction was begun on this connection.`);
    return transactionId;
  }

  /**
   * Sends a call, waiting while the cluster resumes from a pause (scaled to zero): only outside a
   * transaction, since a transaction that began has a running cluster.
   */
  private async send<T>(call: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call();
      } catch (error) {
        const resuming = sqlErrorOf(error).kind === 'resuming';
        if (!resuming || this.transactionId !== undefined || Date.now() - started > RESUME_WAIT_MS) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt)));
      }
    }
  }
}

function toQueryResult<Row>(output: ExecuteStatementCommandOutput): QueryResult<Row> {
  const columns = (output.columnMetadata ?? []) as DataApiColumn[];
  const rows = (output.records ?? []).map((record) => {
    const row: Record<string, unknown> = {};
    (record as DataApiField[]).forEach((field, index) => {
      const column = columns[index];
      // Own data properties: a column named __proto__ is a column, not the row's prototype.
      Object.defineProperty(row, column?.label || column?.name || `?column?${index}`, { value: fromDataApiField(field, column), enumerable: true, writable: true, configurable: true });
    });
    return row as Row;
  });
  return { rows, ...(columns.length > 0 ? {} : { numAffectedRows: BigInt(output.numberOfRecordsUpdated ?? 0) }) };
}

/** A PostgreSQL identifier, quoted: only Kysely's own savepoint names reach it. */
const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;
