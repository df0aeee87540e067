import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { DATA_API_ACTIONS, SECRET_KEY_ACTIONS, SECRET_READ_ACTIONS } from '../iam-actions';
import { ENV } from '../runtime-contract';
import { createOwnedFunction, type OwnedFunction, type OwnedFunctionOptions } from './owned-function';

/** The database of a SQL read model, as its functions reach it: through the RDS Data API. */
export interface SqlDatabase {
  readonly cluster: rds.IDatabaseCluster;
  /** The secret the Data API connects with; its `secretFullArn` is known (checked at synth). */
  readonly secret: secretsmanager.ISecret;
  readonly databaseName: string;
}

/**
 * Adds `LogGroup`, `Role` and `Function` to `scope` (an owned function) that knows the database
 * (`ENV.sqlClusterArn`, `ENV.sqlSecretArn`, `ENV.sqlDatabase`) and may use it: the Data API on
 * exactly its cluster, the value of exactly its secret, and the secret's customer managed key,
 * if one encrypts it, only through Secrets Manager. The caller grants the rest.
 */
export function createSqlFunction(scope: Construct, database: SqlDatabase, options: OwnedFunctionOptions): OwnedFunction {
  const secretArn = database.secret.secretFullArn ?? database.secret.secretArn;
  const owned = createOwnedFunction(scope, {
    ...options,
    environment: {
      ...options.environment,
      [ENV.sqlClusterArn]: database.cluster.clusterArn,
      [ENV.sqlSecretArn]: secretArn,
      [ENV.sqlDatabase]: database.databaseName,
    },
  });
  owned.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: DATA_API_ACTIONS, resources: [database.cluster.clusterArn] }));
  owned.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: SECRET_READ_ACTIONS, resources: [secretArn] }));
  const key = database.secret.encryptionKey;
  if (key) {
    owned.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: SECRET_KEY_ACTIONS,
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` } },
    }));
  }
  return owned;
}
