import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { SQL_READ_MODEL_PART_IDS } from '../construct-ids';

/** The settings of a new cluster that are not props. */
export const SQL_CLUSTER = {
  /** 16.x: the Data API (16.1 and later) and scaling to 0 ACUs (16.3 and later). */
  engineVersion: rds.AuroraPostgresEngineVersion.VER_16_13,
  /** Not PostgreSQL's 5432: nothing connects to it but the Data API, and a port of its own costs nothing (cdk-nag AwsSolutions-RDS11). */
  port: 5433,
  masterUsername: 'postgres',
  backupRetention: Duration.days(7),
  vpcMaxAzs: 2,
};

/** What a new cluster is made of, resolved from the read model's props. */
export interface SqlClusterProps {
  readonly databaseName: string;
  /** @default - a VPC of its own */
  readonly vpc?: ec2.IVpc;
  /** @default - the isolated subnets of the VPC if it has any, else its private ones */
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly deletionProtection: boolean;
  readonly removalPolicy: RemovalPolicy;
  /** @default - AWS managed keys */
  readonly encryptionKey?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/** A new cluster and its generated secret. */
export interface SqlCluster {
  readonly cluster: rds.DatabaseCluster;
  readonly secret: secretsmanager.ISecret;
}

/**
 * Adds `Vpc` (unless one is given), `SecurityGroup` and `Cluster` to `scope`: Aurora PostgreSQL
 * Serverless v2 with one writer that may scale to 0 ACUs, the RDS Data API, encrypted storage,
 * credentials generated into Secrets Manager, IAM database authentication, deletion protection
 * and 7 days of backups. Nothing reaches it over the network: its security group has no ingress,
 * and the functions use the Data API.
 */
export function createSqlCluster(scope: Construct, props: SqlClusterProps): SqlCluster {
  const vpc = props.vpc ?? createIsolatedVpc(scope, props);
  const securityGroup = new ec2.SecurityGroup(scope, SQL_READ_MODEL_PART_IDS.securityGroup, {
    vpc,
    description: 'Aurora cluster of a SQL read model (cdk-cqrs): no ingress, reached through the RDS Data API only',
    allowAllOutbound: false,
  });
  const cluster = new rds.DatabaseCluster(scope, SQL_READ_MODEL_PART_IDS.cluster, {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: SQL_CLUSTER.engineVersion }),
    writer: rds.ClusterInstance.serverlessV2('Writer', { publiclyAccessible: false, autoMinorVersionUpgrade: true }),
    serverlessV2MinCapacity: props.minCapacity,
    serverlessV2MaxCapacity: props.maxCapacity,
    enableDataApi: true,
    credentials: rds.Credentials.fromGeneratedSecret(SQL_CLUSTER.masterUsername, { encryptionKey: props.encryptionKey }),
    defaultDatabaseName: props.databaseName,
    port: SQL_CLUSTER.port,
    iamAuthentication: true,
    storageEncrypted: true,
    storageEncryptionKey: props.encryptionKey,
    deletionProtection: props.deletionProtection,
    removalPolicy: props.removalPolicy,
    backup: { retention: SQL_CLUSTER.backupRetention },
    vpc,
    vpcSubnets: props.vpcSubnets ?? { subnetType: vpc.isolatedSubnets.length > 0 ? ec2.SubnetType.PRIVATE_ISOLATED : ec2.SubnetType.PRIVATE_WITH_EGRESS },
    securityGroups: [securityGroup],
  });
  // The secret holds the cluster's only password: it stays when the cluster stays.
  (cluster.node.findChild('Secret') as secretsmanager.Secret).applyRemovalPolicy(withoutSnapshot(props.removalPolicy));
  const secret = cluster.secret!;
  Validations.of(cluster).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'No automatic rotation of the cluster secret: the rotation function would run in the cluster\'s VPC, which has no route to Secrets Manager without an interface endpoint or a NAT gateway, both charged by the hour even while the read model is idle.',
  });
  return { cluster, secret };
}

/**
 * Adds `Vpc`: 2 Availability Zones, isolated subnets only (no internet gateway, no NAT gateway:
 * nothing charged by the hour), and a flow log of rejected traffic into a log group of its own.
 */
function createIsolatedVpc(scope: Construct, props: SqlClusterProps): ec2.IVpc {
  const vpc = new ec2.Vpc(scope, SQL_READ_MODEL_PART_IDS.vpc, {
    maxAzs: SQL_CLUSTER.vpcMaxAzs,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    // Restricting the default security group takes a custom resource (a function and a role with
    // an AWS managed policy) per VPC; nothing is ever placed in that group here.
    restrictDefaultSecurityGroup: false,
  });
  const logGroup = new logs.LogGroup(vpc, 'FlowLogGroup', { retention: props.logRetention, removalPolicy: withoutSnapshot(props.removalPolicy) });
  vpc.addFlowLog('FlowLog', {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup),
    // The only traffic the VPC should see is the Data API's; what is rejected is what to look into.
    trafficType: ec2.FlowLogTrafficType.REJECT,
  });
  return vpc;
}

/** The removal policy of what has no snapshot (a secret, a log group): `SNAPSHOT`, meant for the cluster, keeps them. */
export const withoutSnapshot = (removalPolicy: RemovalPolicy): RemovalPolicy =>
  (removalPolicy === RemovalPolicy.SNAPSHOT ? RemovalPolicy.RETAIN : removalPolicy);
