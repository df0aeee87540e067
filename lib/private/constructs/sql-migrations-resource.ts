import { CustomResource, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { sqlMigratorCode } from '../bundling/function-code';
import { createSqlFunction, type SqlDatabase } from './sql-function';
import { FUNCTION_ROLES, SQL_READ_MODEL } from '../runtime-contract';
import type { SqlProjectionPlan } from '../sql-read-model-validation';

/** The migrator's settings. */
export const SQL_MIGRATOR = {
  /** A paused cluster resumes in about 15 seconds; the rest is the migrations' own time. */
  timeout: Duration.minutes(5),
  memorySize: 256,
};

/** Properties of `SqlMigrations`. */
export interface SqlMigrationsProps {
  /** Names the read model in descriptions: `SQL read model '<id>'`. */
  readonly owner: string;
  readonly database: SqlDatabase;
  readonly projections: SqlProjectionPlan[];
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * The migrator function (`LogGroup`, `Role`, `Function`, with every migration file bundled in)
 * and `Resource`, a custom resource it backs directly (it answers CloudFormation itself; no
 * provider framework). The resource's properties name each projection's files with their
 * SHA-256, so a changed or added file, or another database, updates it and the migrator applies
 * what is new at deploy.
 */
export class SqlMigrations extends Construct {
  public readonly function: lambda.IFunction;
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SqlMigrationsProps) {
    super(scope, id);
    const { function: fn } = createSqlFunction(this, props.database, {
      functionRole: FUNCTION_ROLES.sqlMigrator,
      description: `Applies the migrations of ${props.owner} (cdk-cqrs)`,
      code: sqlMigratorCode(props.projections.map((projection) => ({
        projectionName: projection.projectionName,
        migrationsDir: projection.migrations,
        files: projection.migrationFiles.map((file) => file.name),
      }))),
      environment: {},
      memorySize: SQL_MIGRATOR.memorySize,
      timeout: SQL_MIGRATOR.timeout,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    this.function = fn;
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: SQL_READ_MODEL.migrationsResourceType,
      properties: {
        Projections: Object.fromEntries(props.projections.map((projection) => [
          projection.projectionName,
          projection.migrationFiles.map((file) => ({ Name: file.name, Sha256: file.sha256 })),
        ])),
        // Not read by the migrator (it takes them from its environment): here so that pointing
        // the read model at another cluster or database applies the migrations there.
        ClusterArn: props.database.cluster.clusterArn,
        Database: props.database.databaseName,
      },
    });
    // A cluster made in this app: its writer must be up before the Data API can run a statement.
    this.resource.node.addDependency(props.database.cluster);
  }
}
