import { RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { actionsOf, logicalIdOf, statementsOfRole } from './fixtures/stand-in-app';
import {
  isolatedVpc, libraryStack, loansByMember, MEMBER_ENTRY, MEMBER_NAMES_ENTRY, MEMBER_NAMES_MIGRATIONS, nagViolations, sqlFunctionStatements, type SqlPropsIn,
} from './fixtures/sql-read-model';
import { CqrsAggregate } from '../../lib';
import { ENV } from '../../lib/private/runtime-contract';

const SECRET_ARN_GIVEN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:reports-AbCdEf';

describe('a SQL read model with props given', () => {
  test('takes the capacity, database name, deletion protection and removal policy given', () => {
    const { template } = libraryStack(() => ({ minCapacity: 0.5, maxCapacity: 16, databaseName: 'library', deletionProtection: false, removalPolicy: RemovalPolicy.DESTROY }));
    template.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({ ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 16 }, DatabaseName: 'library', DeletionProtection: false }),
      DeletionPolicy: 'Delete',
    });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ [ENV.sqlDatabase]: 'library' }) } });
  });

  test('takes a final snapshot of the cluster with RemovalPolicy.SNAPSHOT, and retains its secret and the log groups', () => {
    const { stack, template } = libraryStack(() => ({ removalPolicy: RemovalPolicy.SNAPSHOT }));
    template.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    for (const logGroup of ['Vpc/FlowLogGroup', 'Migrations/LogGroup', 'LoansByMember/LogGroup', 'QueryHandler/LogGroup']) {
      expect(template.findResources('AWS::Logs::LogGroup')[logicalIdOf(stack, `Library/${logGroup}`)].DeletionPolicy).toBe('Retain');
    }
  });

  test('encrypts the storage, the secret and the queues with the customer managed key, which the functions use only through Secrets Manager', () => {
    // GIVEN / WHEN
    const { stack, template } = libraryStack(({ stack: scope }) => ({ encryptionKey: new kms.Key(scope, 'Key', { enableKeyRotation: true }) }));
    // THEN
    const keyArn = { 'Fn::GetAtt': [logicalIdOf(stack, 'Key'), 'Arn'] };
    template.hasResourceProperties('AWS::RDS::DBCluster', { StorageEncrypted: true, KmsKeyId: keyArn });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: keyArn });
    for (const queue of ['Queue', 'DeadLetterQueue']) {
      expect(template.findResources('AWS::SQS::Queue')[logicalIdOf(stack, `Library/LoansByMember/${queue}`)].Properties.KmsMasterKeyId).toEqual(keyArn);
    }
    const viaSecretsManager = { Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } } };
    for (const role of ['Migrations', 'LoansByMember', 'QueryHandler']) {
      expect(statementsOfRole(stack, `Library/${role}/Role`)).toContainEqual(viaSecretsManager);
    }
    expect(nagViolations(stack)).toEqual([]);
  });

  test('puts a new cluster in the VPC given, and creates none', () => {
    const { stack, template } = libraryStack(({ stack: scope }) => ({ vpc: isolatedVpc(scope) }));
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: [{ Ref: logicalIdOf(stack, 'Network/DataSubnet1/Subnet') }, { Ref: logicalIdOf(stack, 'Network/DataSubnet2/Subnet') }],
    });
    expect(stack.node.tryFindChild('Library')?.node.tryFindChild('Vpc')).toBeUndefined();
  });

  test('lets a projection read the event stores of its own sources only', () => {
    // GIVEN a second projection, of the members only
    const { stack, template } = libraryStack(({ members, loans }) => ({
      projections: [loansByMember(members, loans), { projectionName: 'MemberNames', entry: MEMBER_NAMES_ENTRY, sources: [members], migrations: MEMBER_NAMES_MIGRATIONS, batchSize: 50 }],
    }));
    // THEN its one rule is on the members' bus, and it may read their event store only
    template.resourceCountIs('AWS::Events::Rule', 3);
    const statements = statementsOfRole(stack, 'Library/MemberNames/Role');
    expect(statements.filter((s) => actionsOf([s]).includes('dynamodb:Scan'))).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:Query', 'dynamodb:Scan'], Resource: { 'Fn::GetAtt': [logicalIdOf(stack, 'Members/EventStore/Table'), 'Arn'] } },
    ]);
    expect(JSON.stringify(statements)).not.toContain(logicalIdOf(stack, 'Library/LoansByMember/Queue'));
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 50, MaximumBatchingWindowInSeconds: 1 });
    expect(template.findResources('Custom::CqrsSqlMigrations')[logicalIdOf(stack, 'Library/Migrations/Resource')].Properties.Projections.MemberNames)
      .toEqual([{ Name: '001_init.sql', Sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
  });

  test('lets a projector decrypt the event store of a source with a customer managed key', () => {
    const { stack } = libraryStack(({ stack: scope, loans }) => {
      const key = new kms.Key(scope, 'MembersKey', { enableKeyRotation: true });
      // A third aggregate, with the key, stands in for the members.
      const keyed = new CqrsAggregate(scope, 'KeyedMembers', { aggregateName: 'Member', namespace: 'keyed', entry: MEMBER_ENTRY, encryptionKey: key });
      return { projections: [loansByMember(keyed, loans)] };
    });
    expect(statementsOfRole(stack, 'Library/LoansByMember/Role')).toContainEqual({
      Effect: 'Allow', Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: { 'Fn::GetAtt': [logicalIdOf(stack, 'MembersKey'), 'Arn'] },
    });
  });
});

describe('a SQL read model on an existing cluster', () => {
  const existing: SqlPropsIn = ({ stack }) => ({
    cluster: rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'Reports', { clusterIdentifier: 'reports' }),
    secret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'ReportsSecret', SECRET_ARN_GIVEN),
    databaseName: 'reports',
  });

  test('creates no cluster, VPC or secret, and gives every function the given cluster, secret and database only', () => {
    const { stack, template, readModel } = libraryStack(existing);
    for (const type of ['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance', 'AWS::EC2::VPC', 'AWS::EC2::SecurityGroup', 'AWS::SecretsManager::Secret']) {
      template.resourceCountIs(type, 0);
    }
    const clusterArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:111111111111:cluster:reports']] };
    for (const part of ['Migrations', 'LoansByMember', 'QueryHandler']) {
      const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(stack, `Library/${part}/Function`)].Properties;
      expect(fn.Environment.Variables).toEqual(expect.objectContaining({ [ENV.sqlClusterArn]: clusterArn, [ENV.sqlSecretArn]: SECRET_ARN_GIVEN, [ENV.sqlDatabase]: 'reports' }));
      expect(statementsOfRole(stack, `Library/${part}/Role`).slice(0, 3))
        .toEqual(sqlFunctionStatements(logicalIdOf(stack, `Library/${part}/LogGroup`), clusterArn, SECRET_ARN_GIVEN));
    }
    expect(stack.resolve(readModel.cluster.clusterArn)).toEqual(clusterArn);
    expect(template.findResources('Custom::CqrsSqlMigrations')[logicalIdOf(stack, 'Library/Migrations/Resource')].DependsOn).toBeUndefined();
    expect(nagViolations(stack)).toEqual([]);
  });

  test('warns that the props of a new cluster are ignored', () => {
    const { stack } = libraryStack((context) => ({ ...existing(context), minCapacity: 1, vpc: ec2.Vpc.fromVpcAttributes(context.stack, 'Net', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'] }) }));
    Annotations.fromStack(stack).hasWarning('/Stack/Library', Match.stringLikeRegexp('^vpc, minCapacity are ignored: they configure a new cluster, and cluster is given\\.'));
  });

  test('runs the migrations once a cluster made in the same app is up', () => {
    const { stack, template } = libraryStack(({ stack: scope }) => {
      const vpc = isolatedVpc(scope);
      const cluster = new rds.DatabaseCluster(scope, 'Own', {
        engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_13 }),
        writer: rds.ClusterInstance.serverlessV2('Writer'), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, enableDataApi: true,
      });
      return { cluster, secret: cluster.secret };
    });
    expect(template.findResources('Custom::CqrsSqlMigrations')[logicalIdOf(stack, 'Library/Migrations/Resource')].DependsOn)
      .toEqual(expect.arrayContaining([logicalIdOf(stack, 'Own'), logicalIdOf(stack, 'Own/Writer')]));
  });
});
