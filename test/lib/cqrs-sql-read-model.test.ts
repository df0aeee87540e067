import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { actionsOf, logicalIdOf, statementsOfRole } from './fixtures/stand-in-app';
import {
  clusterArnOf, libraryStack, LOANS_BY_MEMBER_MIGRATIONS, nagViolations, secretArnOf, sqlFunctionStatements,
} from './fixtures/sql-read-model';
import type { CqrsSqlReadModel } from '../../lib';
import { ENV, FUNCTION_ROLES } from '../../lib/private/runtime-contract';

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
