import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { actionsOf, logicalIdOf, statementsOfRole, type Statement } from './fixtures/stand-in-app';
import {
  libraryStack, LOANS_BY_MEMBER_MIGRATIONS, loansByMember, MEMBER_ENTRY, MEMBER_NAMES_ENTRY, MEMBER_NAMES_MIGRATIONS, type SqlPropsIn,
} from './fixtures/sql-read-model';
import { CqrsAggregate, type CqrsSqlReadModel } from '../../lib';
import { ENV, FUNCTION_ROLES } from '../../lib/private/runtime-contract';

const SECRET_ARN_GIVEN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:reports-AbCdEf';

/** The cluster's ARN as the template spells it. */
const clusterArnOf = (stack: Stack) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:111111111111:cluster:', { Ref: logicalIdOf(stack, 'Library/Cluster') }]],
});
const secretArnOf = (stack: Stack) => ({ Ref: logicalIdOf(stack, 'Library/Cluster/Secret/Attachment') });

/** The statements every SQL function has: its logs, the Data API on the cluster, the secret's value. */
const sqlFunctionStatements = (logGroup: string, clusterArn: unknown, secretArn: unknown): Statement[] => [
  { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } },
  {
    Effect: 'Allow',
    Action: ['rds-data:ExecuteStatement', 'rds-data:BatchExecuteStatement', 'rds-data:BeginTransaction', 'rds-data:CommitTransaction', 'rds-data:RollbackTransaction'],
    Resource: clusterArn,
  },
  { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn },
];

/** The AwsSolutions findings of the read model's stack. */
function nagViolations(stack: Stack) {
  return new AwsSolutionsChecks(stack).validateScope(stack.node.root).violations
    .map((v) => ({ rule: v.ruleName, resources: v.violatingResources.map((r) => r.constructPath) }));
}

/** A VPC of the user's, with isolated subnets named Data. */
const isolatedVpc = (scope: Stack) => new ec2.Vpc(scope, 'Network', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(path.join(LOANS_BY_MEMBER_MIGRATIONS, file), 'utf8')).digest('hex');

describe('a SQL read model with a new cluster', () => {
  let stack: Stack;
  let template: Template;
  let readModel: CqrsSqlReadModel;
  let ids: { cluster: string; writer: string; migrator: string; migrations: string; projector: string; queue: string; dlq: string; query: string };
  beforeAll(() => {
    // GIVEN two aggregates, and a read model with one projection of both and queries, default props
    ({ stack, template, readModel } = libraryStack());
    const id = (part: string) => logicalIdOf(stack, `Library/${part}`);
    ids = {
      cluster: id('Cluster'), writer: id('Cluster/Writer'), migrator: id('Migrations/Function'), migrations: id('Migrations/Resource'),
      projector: id('LoansByMember/Function'), queue: id('LoansByMember/Queue'), dlq: id('LoansByMember/DeadLetterQueue'), query: id('QueryHandler/Function'),
    };
  });

  describe('cluster', () => {
    test('is Aurora PostgreSQL 16 Serverless v2 from 0 to 4 ACUs, with the Data API, encrypted, IAM auth, 7 days of backups, protected and retained', () => {
      template.hasResource('AWS::RDS::DBCluster', {
        Properties: {
          Engine: 'aurora-postgresql',
          EngineVersion: Match.stringLikeRegexp('^16\\.'),
          ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 4 },
          EnableHttpEndpoint: true,
          StorageEncrypted: true,
          KmsKeyId: Match.absent(),
          EnableIAMDatabaseAuthentication: true,
          DatabaseName: 'cqrs',
          Port: 5433,
          BackupRetentionPeriod: 7,
          DeletionProtection: true,
          MasterUsername: 'postgres',
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      template.resourceCountIs('AWS::RDS::DBCluster', 1);
    });

    test('has one writer, serverless, in its own subnets, not publicly accessible, retained', () => {
      template.resourceCountIs('AWS::RDS::DBInstance', 1);
      template.hasResource('AWS::RDS::DBInstance', {
        Properties: { DBInstanceClass: 'db.serverless', DBClusterIdentifier: { Ref: ids.cluster }, PubliclyAccessible: false },
        DeletionPolicy: 'Retain',
      });
    });

    test('keeps generated credentials in a secret attached to it, retained with it', () => {
      template.resourceCountIs('AWS::SecretsManager::Secret', 1);
      template.hasResource('AWS::SecretsManager::Secret', {
        Properties: { GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"postgres"}', GenerateStringKey: 'password' }), KmsKeyId: Match.absent() },
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', { TargetId: { Ref: ids.cluster }, TargetType: 'AWS::RDS::DBCluster' });
      expect(stack.resolve(readModel.secret.secretArn)).toEqual(secretArnOf(stack));
      expect(stack.resolve(readModel.cluster.clusterArn)).toEqual(clusterArnOf(stack));
      expect(readModel.databaseName).toBe('cqrs');
    });

    test('is in a VPC of its own: 2 isolated subnets, no internet or NAT gateway, and a flow log of rejected traffic', () => {
      template.resourceCountIs('AWS::EC2::VPC', 1);
      template.resourceCountIs('AWS::EC2::Subnet', 2);
      template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      template.resourceCountIs('AWS::EC2::InternetGateway', 0);
      template.resourceCountIs('AWS::EC2::Route', 0);
      template.hasResourceProperties('AWS::EC2::FlowLog', {
        ResourceId: { Ref: logicalIdOf(stack, 'Library/Vpc') }, TrafficType: 'REJECT', LogDestinationType: 'cloud-watch-logs',
        LogGroupName: { Ref: logicalIdOf(stack, 'Library/Vpc/FlowLogGroup') },
      });
    });

    test('keeps the flow log and the functions\' logs for a month, and retains them', () => {
      for (const logGroup of ['Vpc/FlowLogGroup', 'Migrations/LogGroup', 'LoansByMember/LogGroup', 'QueryHandler/LogGroup']) {
        expect(template.findResources('AWS::Logs::LogGroup')[logicalIdOf(stack, `Library/${logGroup}`)])
          .toEqual(expect.objectContaining({ Properties: expect.objectContaining({ RetentionInDays: 30 }), DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' }));
      }
    });

    test('has a security group with no ingress and no egress', () => {
      const groups = template.findResources('AWS::EC2::SecurityGroup');
      expect(Object.keys(groups)).toEqual([logicalIdOf(stack, 'Library/SecurityGroup')]);
      const group = Object.values(groups)[0].Properties;
      expect(group.SecurityGroupIngress).toBeUndefined();
      expect(group.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })]);
      template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    });
  });

  describe('migrations', () => {
    test('are a custom resource backed by the migrator itself, naming each file with its SHA-256', () => {
      const resource = template.findResources('Custom::CqrsSqlMigrations')[ids.migrations];
      expect(resource.Properties).toEqual({
        ServiceToken: { 'Fn::GetAtt': [ids.migrator, 'Arn'] },
        Projections: {
          LoansByMember: [
            { Name: '001_init.sql', Sha256: sha256('001_init.sql') },
            { Name: '002_member_names.sql', Sha256: sha256('002_member_names.sql') },
          ],
        },
        ClusterArn: clusterArnOf(stack),
        Database: 'cqrs',
      });
      // No provider framework: the only functions are the aggregates' two each, the migrator, the projector and the query function.
      template.resourceCountIs('AWS::Lambda::Function', 2 * 2 + 3);
    });

    test('run once the cluster and its writer are up', () => {
      const dependsOn = template.findResources('Custom::CqrsSqlMigrations')[ids.migrations].DependsOn;
      expect(dependsOn).toEqual(expect.arrayContaining([ids.cluster, ids.writer]));
    });

    test('run before any event is projected or any query runs', () => {
      const mappings = template.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: { Ref: ids.projector } } });
      expect(Object.values(mappings).map((mapping) => mapping.DependsOn)).toEqual([[ids.migrations]]);
      expect(template.findResources('AWS::Lambda::Function')[ids.query].DependsOn).toContain(ids.migrations);
    });

    test('are applied by a function with 5 minutes, which knows the database and may use only it', () => {
      const fn = template.findResources('AWS::Lambda::Function')[ids.migrator].Properties;
      expect(fn.Timeout).toBe(300);
      expect(fn.Environment.Variables).toEqual({
        [ENV.functionRole]: FUNCTION_ROLES.sqlMigrator,
        [ENV.sqlClusterArn]: clusterArnOf(stack),
        [ENV.sqlSecretArn]: secretArnOf(stack),
        [ENV.sqlDatabase]: 'cqrs',
      });
      expect(statementsOfRole(stack, 'Library/Migrations/Role'))
        .toEqual(sqlFunctionStatements(logicalIdOf(stack, 'Library/Migrations/LogGroup'), clusterArnOf(stack), secretArnOf(stack)));
      expect(stack.resolve(readModel.migrator.functionArn)).toEqual({ 'Fn::GetAtt': [ids.migrator, 'Arn'] });
    });
  });

  describe('projection', () => {
    test('has a rule on each source\'s bus, for the event types it handles of that source, into its one queue', () => {
      template.resourceCountIs('AWS::Events::Rule', 2);
      const target = [{
        Id: 'Target0',
        Arn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 24 * 3600, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ids.dlq, 'Arn'] } },
      }];
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: logicalIdOf(stack, 'Members/Bus') },
        EventPattern: { 'source': ['cqrs.Member'], 'detail-type': ['Joined', 'Renamed'], 'detail': { aggregateName: ['Member'] } },
        Targets: target,
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: logicalIdOf(stack, 'Loans/Bus') },
        EventPattern: { 'source': ['cqrs.Loan'], 'detail-type': ['Lent', 'Returned'], 'detail': { aggregateName: ['Loan'] } },
        Targets: target,
      });
      const projection = readModel.projection('LoansByMember');
      expect(projection.sourceEventTypes).toEqual({ Member: ['Joined', 'Renamed'], Loan: ['Lent', 'Returned'] });
      expect(projection.rules.map((rule) => stack.resolve(rule.ruleArn))).toEqual([
        { 'Fn::GetAtt': [logicalIdOf(stack, 'Library/LoansByMember/MemberRule'), 'Arn'] },
        { 'Fn::GetAtt': [logicalIdOf(stack, 'Library/LoansByMember/LoanRule'), 'Arn'] },
      ]);
    });

    test('reads its queue as a document projection does: batches of 10, partial batch failures, at most 2 at once', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: ids.projector },
        EventSourceArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
        BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 },
      });
      template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 6 * 30, RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }), SqsManagedSseEnabled: true });
    });

    test('knows the database, its name, and the event store of each source', () => {
      const fn = template.findResources('AWS::Lambda::Function')[ids.projector].Properties;
      const { [ENV.sqlSources]: sources, ...others } = fn.Environment.Variables;
      expect(others).toEqual({
        [ENV.functionRole]: FUNCTION_ROLES.sqlProjector,
        [ENV.sqlClusterArn]: clusterArnOf(stack),
        [ENV.sqlSecretArn]: secretArnOf(stack),
        [ENV.sqlDatabase]: 'cqrs',
        [ENV.projectionName]: 'LoansByMember',
      });
      expect(sources).toEqual({
        'Fn::Join': ['', [
          '{"Member":"', { Ref: logicalIdOf(stack, 'Members/EventStore/Table') }, '","Loan":"', { Ref: logicalIdOf(stack, 'Loans/EventStore/Table') }, '"}',
        ]],
      });
      expect(fn).toEqual(expect.objectContaining({ Timeout: 30, MemorySize: 256, Runtime: 'nodejs24.x', Description: 'SQL projector LoansByMember of SQL read model Library (cdk-cqrs)' }));
    });

    test('may use only its database and secret, take from its queue, query and scan its sources\' event stores and invoke itself', () => {
      const statements = statementsOfRole(stack, 'Library/LoansByMember/Role');
      expect(statements).toEqual([
        ...sqlFunctionStatements(logicalIdOf(stack, 'Library/LoansByMember/LogGroup'), clusterArnOf(stack), secretArnOf(stack)),
        {
          Effect: 'Allow',
          Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          Resource: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:Query', 'dynamodb:Scan'],
          Resource: [
            { 'Fn::GetAtt': [logicalIdOf(stack, 'Members/EventStore/Table'), 'Arn'] },
            { 'Fn::GetAtt': [logicalIdOf(stack, 'Loans/EventStore/Table'), 'Arn'] },
          ],
        },
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [ids.projector, 'Arn'] } },
      ]);
      expect(actionsOf(statements).filter((action) => action.includes('*'))).toEqual([]);
      expect(statements.filter((s) => JSON.stringify(s.Resource).includes('*'))).toEqual([]);
    });

    test('has the alarms, metrics and rebuild command of a document projection', () => {
      const projection = readModel.projection('LoansByMember');
      expect(projection.alarms).toHaveLength(2);
      expect(readModel.alarms).toEqual(projection.alarms);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: Match.stringLikeRegexp('^SQL read model Library projection LoansByMember: the projector failed'),
      });
      expect(stack.resolve(projection.metricLag().dimensions)).toEqual({ QueueName: { 'Fn::GetAtt': [ids.queue, 'QueueName'] } });
      expect(stack.resolve(projection.metricDeadLetterMessages().dimensions)).toEqual({ QueueName: { 'Fn::GetAtt': [ids.dlq, 'QueueName'] } });
      expect(stack.resolve(projection.metricProjectorErrors().dimensions)).toEqual({ FunctionName: { Ref: ids.projector } });
      expect(stack.resolve(projection.rebuildCommand)).toEqual({
        'Fn::Join': ['', ['aws lambda invoke --function-name ', { Ref: ids.projector }, ' --invocation-type Event --cli-binary-format raw-in-base64-out --payload \'{"rebuild":{"totalSegments":4}}\' /dev/null']],
      });
    });
  });

  describe('queries', () => {
    test('run in a function that knows the database and the projections, with 30 seconds for a paused cluster to resume', () => {
      const fn = template.findResources('AWS::Lambda::Function')[ids.query].Properties;
      expect(fn.Environment.Variables).toEqual({
        [ENV.functionRole]: FUNCTION_ROLES.sqlQueryHandler,
        [ENV.sqlClusterArn]: clusterArnOf(stack),
        [ENV.sqlSecretArn]: secretArnOf(stack),
        [ENV.sqlDatabase]: 'cqrs',
        [ENV.sqlProjections]: '["LoansByMember"]',
      });
      expect(fn).toEqual(expect.objectContaining({ Timeout: 30, MemorySize: 256 }));
    });

    test('may use only the database and its secret', () => {
      expect(statementsOfRole(stack, 'Library/QueryHandler/Role'))
        .toEqual(sqlFunctionStatements(logicalIdOf(stack, 'Library/QueryHandler/LogGroup'), clusterArnOf(stack), secretArnOf(stack)));
    });

    test('grantQuery lets a grantee invoke the query function, nothing else', () => {
      const { stack: other, readModel: library } = libraryStack();
      const caller = new iam.Role(other, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      library.grantQuery(caller);
      expect(actionsOf(statementsOfRole(other, 'Caller'))).toEqual(['lambda:InvokeFunction']);
    });
  });

  test('reports no cdk-nag AwsSolutions finding', () => {
    expect(nagViolations(stack)).toEqual([]);
  });

  test('stays lean under the 500 resources of a stack: 21 for the cluster, its network and the migrations, 13 for a projection of two sources, 3 for queries', () => {
    const resourcesIn = (part: string) => readModel.node.findChild(part).node.findAll().filter((c) => c instanceof CfnResource).length;
    expect(resourcesIn('LoansByMember')).toBe(13);
    expect(resourcesIn('QueryHandler')).toBe(3);
    expect(readModel.node.findAll().filter((c) => c instanceof CfnResource)).toHaveLength(21 + 13 + 3);
  });
});

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
