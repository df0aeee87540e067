import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { Kysely } from 'kysely';
import { LocalBus } from '../../lambda/local/local-bus';
import { startLocalEndpoint } from '../../lambda/local/local-endpoint';
import { LocalSqlDatabase } from '../../lambda/local/local-sql-database';
import { DataApiDialect, type DataApiTarget } from '../../lambda/sql/data-api-dialect';

export const LOCAL_CLUSTER_ARN = 'arn:aws:rds:us-east-1:000000000000:cluster:local-test';

/** PostgreSQL (PGlite) behind the local RDS Data API on loopback, and Kysely on it through the Data API dialect: the path the functions take. */
export interface LocalSql {
  readonly database: LocalSqlDatabase;
  readonly endpoint: string;
  readonly target: DataApiTarget;
  /** A new Data API client (no SDK retries, as the SQL functions make it) and Kysely on it: one per "container". */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly connect: (configure?: (client: RDSDataClient) => void) => { readonly client: RDSDataClient; readonly db: Kysely<any> };
  readonly stop: () => Promise<void>;
}

export async function startLocalSql(): Promise<LocalSql> {
  const database = await LocalSqlDatabase.start();
  const endpoint = await startLocalEndpoint({
    bus: new LocalBus({ account: '000000000000', region: 'us-east-1' }),
    hasFunction: () => false,
    onAsyncInvoke: () => undefined,
    sqlDatabaseOf: (arn) => (arn === LOCAL_CLUSTER_ARN ? database : undefined),
  });
  const target: DataApiTarget = { resourceArn: LOCAL_CLUSTER_ARN, secretArn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:local', database: 'cqrs' };
  const clients: RDSDataClient[] = [];
  return {
    database, endpoint: endpoint.url, target,
    connect: (configure) => {
      const client = new RDSDataClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
      configure?.(client);
      clients.push(client);
      return { client, db: new Kysely({ dialect: new DataApiDialect(client, target) }) };
    },
    stop: async () => {
      clients.forEach((client) => client.destroy());
      await endpoint.stop();
      await database.stop();
    },
  };
}
