import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { sqlQueryHandlerCode } from './private/bundling/function-code';
import { SQL_READ_MODEL_PART_IDS } from './private/construct-ids';
import { OwnedRole } from './private/constructs/owned-role';
import { createSqlCluster, withoutSnapshot } from './private/constructs/sql-cluster';
import { createSqlFunction, type SqlDatabase } from './private/constructs/sql-function';
import { SqlMigrations } from './private/constructs/sql-migrations-resource';
import { SqlProjectionPipeline } from './private/constructs/sql-projection-pipeline';
import { ENV, FUNCTION_ROLES } from './private/runtime-contract';
import { planSqlReadModel } from './private/sql-read-model-validation';
import { SQL_READ_MODEL_DEFAULTS as DEFAULTS, type CqrsSqlReadModelProps, type ISqlProjection } from './cqrs-sql-read-model-props';

/**
 * A read model in SQL tables: projections whose handlers write PostgreSQL, fed by the events of
 * one or more aggregates, and optionally a query function. The tables are in an Aurora
 * PostgreSQL Serverless v2 cluster that pauses when idle (or in a cluster you give), reached
 * through the RDS Data API, so the functions need no VPC. Each projection's migrations are
 * applied at deploy, before any event is projected.
 *
 * @example
 * const reports = new CqrsSqlReadModel(this, 'Reports', {
 *   projections: [{
 *     projectionName: 'OrderSummaries',
 *     entry: path.join(__dirname, '../domain/order-summaries.ts'),
 *     sources: [orders, customers],
 *     migrations: path.join(__dirname, '../domain/order-summaries-migrations'),
 *   }],
 *   queries: { entry: path.join(__dirname, '../domain/report-queries.ts') },
 * });
 * reports.grantQuery(apiFunction);
 */
export class CqrsSqlReadModel extends Construct {
  /** The Aurora cluster the tables are in: the new one, or the one given. */
  public readonly cluster: rds.IDatabaseCluster;
  /** The secret the Data API connects with: the new cluster's, or the one given. */
  public readonly secret: secretsmanager.ISecret;
  /** The database the tables are in. */
  public readonly databaseName: string;
  /** The projections, in the order of `projections`. */
  public readonly projections: ISqlProjection[];
  /** The function that applied the migrations at deploy. */
  public readonly migrator: lambda.IFunction;
  /**
   * The query function: invoke it with `{ type, params }`.
   *
   * Undefined without `queries`.
   */
  public readonly queryHandler?: lambda.IFunction;
  /** The projections' alarms, with no actions: add yours. */
  public readonly alarms: cloudwatch.AlarmBase[];

  constructor(scope: Construct, id: string, props: CqrsSqlReadModelProps) {
    super(scope, id);
    const where = `CqrsSqlReadModel '${id}'`;
    const plan = planSqlReadModel(this, where, props);
    const owner = `SQL read model ${id}`;
    const removalPolicy = props.removalPolicy ?? DEFAULTS.removalPolicy;
    const logRetention = props.logRetention ?? DEFAULTS.logRetention;
    this.databaseName = props.databaseName ?? DEFAULTS.databaseName;

    // Both or neither: planSqlReadModel checked it.
    const { cluster, secret } = props.cluster && props.secret ? { cluster: props.cluster, secret: props.secret } : createSqlCluster(this, {
      databaseName: this.databaseName,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      minCapacity: props.minCapacity ?? DEFAULTS.minCapacity,
      maxCapacity: props.maxCapacity ?? DEFAULTS.maxCapacity,
      deletionProtection: props.deletionProtection ?? DEFAULTS.deletionProtection,
      removalPolicy,
      encryptionKey: props.encryptionKey,
      logRetention,
    });
    this.cluster = cluster;
    this.secret = secret;
    const database: SqlDatabase = { cluster: this.cluster, secret: this.secret, databaseName: this.databaseName };
    const functions = { logRetention, logRemovalPolicy: withoutSnapshot(removalPolicy) };

    const migrations = new SqlMigrations(this, SQL_READ_MODEL_PART_IDS.migrations, { owner, database, projections: plan.projections, ...functions });
    this.migrator = migrations.function;
    this.projections = plan.projections.map((projection) => new SqlProjectionPipeline(this, {
      ...projection, owner, database, migrationsResource: migrations.resource, encryptionKey: props.encryptionKey, ...functions,
    }));
    if (props.queries && plan.queriesEntry) {
      const queryScope = new Construct(this, SQL_READ_MODEL_PART_IDS.queryHandler);
      const { function: fn } = createSqlFunction(queryScope, database, {
        functionRole: FUNCTION_ROLES.sqlQueryHandler,
        description: `Query function of ${owner} (cdk-cqrs)`,
        code: sqlQueryHandlerCode(plan.queriesEntry),
        environment: { [ENV.sqlProjections]: JSON.stringify(plan.projections.map((projection) => projection.projectionName)) },
        memorySize: props.queries.memorySize ?? DEFAULTS.queryMemorySize,
        timeout: props.queries.timeout ?? DEFAULTS.queryTimeout,
        ...functions,
      });
      fn.node.addDependency(migrations.resource);
      this.queryHandler = fn;
    }
    this.alarms = this.projections.flatMap((projection) => projection.alarms);
    OwnedRole.sealAll(this);
  }

  /**
   * Lets `grantee` run queries: `lambda:InvokeFunction` on the query function.
   *
   * Throws if the read model has no `queries`.
   */
  public grantQuery(grantee: iam.IGrantable): iam.Grant {
    if (!this.queryHandler) {
      throw new Error(`CqrsSqlReadModel '${this.node.id}': grantQuery needs a query function, and there is none without queries. Set queries: { entry } to a module whose default export is defineSqlQueries<Tables>()(...).`);
    }
    return this.queryHandler.grantInvoke(grantee);
  }

  /** The projection named `projectionName`; throws if the read model has none of that name. */
  public projection(projectionName: string): ISqlProjection {
    const found = this.projections.find((projection) => projection.projectionName === projectionName);
    if (!found) {
      const names = this.projections.map((projection) => `'${projection.projectionName}'`).join(', ');
      throw new Error(`CqrsSqlReadModel '${this.node.id}': no projection named '${projectionName}' (projections: ${names}).`);
    }
    return found;
  }
}
