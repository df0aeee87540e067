import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Duration, type Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { counterStack } from './fixtures/aggregate';
import { actionsOf, logicalIdOf, statementsOfRole } from './fixtures/stand-in-app';
import { ENV, FUNCTION_ROLES } from '../../lib/private/runtime-contract';

/** The env vars that the runtime's command handler reads. */
const COMMAND_HANDLER_ENV = [
  ENV.eventStoreTable, ENV.aggregateName, ENV.eventSource, ENV.snapshotEvery, ENV.maxConflictRetries, ENV.idempotencyTtlSeconds, ENV.functionRole,
];

describe('the command handler', () => {
  let stack: Stack;
  let template: Template;
  let tableId: string;
  beforeAll(() => {
    // GIVEN an aggregate with default props, next to an unrelated table
    ({ stack, template } = counterStack((scope) => {
      new dynamodb.TableV2(scope, 'Unrelated', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
      return {};
    }));
    tableId = logicalIdOf(stack, 'Counters/EventStore/Table');
  });

  test('runs the bundle on Node.js 24, ARM64, with JSON logs', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Command handler of the Counter aggregate'),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
    });
  });

  test('sets every environment variable the runtime reads, with the default values', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Command handler') } }));
    const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(variables).sort()).toEqual([...COMMAND_HANDLER_ENV].sort());
    expect(variables).toEqual({
      [ENV.eventStoreTable]: { Ref: tableId },
      [ENV.aggregateName]: 'Counter',
      [ENV.eventSource]: 'cqrs.Counter',
      [ENV.snapshotEvery]: '50',
      [ENV.maxConflictRetries]: '3',
      [ENV.idempotencyTtlSeconds]: '86400',
      [ENV.functionRole]: FUNCTION_ROLES.commandHandler,
    });
  });

  test('has 512 MiB and a 10 second timeout by default', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Command handler'), MemorySize: 512, Timeout: 10,
    });
  });

  test('logs into its own log group, kept one month and retained by default', () => {
    const logGroupId = logicalIdOf(stack, 'Counters/CommandHandler/LogGroup');
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Command handler'),
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logGroupId } },
    });
  });

  test('has its own role, with no AWS managed policy', () => {
    const roleId = logicalIdOf(stack, 'Counters/CommandHandler/Role');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Command handler'), Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
    });
    expect(template.findResources('AWS::IAM::Role')[roleId].Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('may read and append to the event store, and write its logs, nothing else', () => {
    const statements = statementsOfRole(stack, 'Counters/CommandHandler/Role');
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/CommandHandler/LogGroup'), 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
    ].map((s) => ({ ...s, Action: expect.arrayContaining(s.Action) })));
    expect(actionsOf(statements)).toEqual(['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  test('cannot change or delete stored items: the store is append-only', () => {
    const actions = actionsOf(statementsOfRole(stack, 'Counters/CommandHandler/Role'));
    expect(actions).not.toContain('dynamodb:UpdateItem');
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  test('may use the customer managed key of the event store when encryptionKey is given', () => {
    // GIVEN / WHEN
    const encrypted = counterStack((scope) => ({ encryptionKey: new kms.Key(scope, 'Key', { enableKeyRotation: true }) }));
    // THEN
    const statements = statementsOfRole(encrypted.stack, 'Counters/CommandHandler/Role');
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: expect.arrayContaining(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']),
      Resource: { 'Fn::GetAtt': [logicalIdOf(encrypted.stack, 'Key'), 'Arn'] },
    });
  });

  test('takes the memory, timeout, retention and tuning given', () => {
    // GIVEN / WHEN
    const { template: tuned } = counterStack(() => ({
      snapshotEvery: 20, maxConflictRetries: 0, idempotencyTtl: Duration.hours(1),
      commandHandlerMemorySize: 1024, commandHandlerTimeout: Duration.seconds(30), logRetention: logs.RetentionDays.ONE_WEEK,
    }));
    // THEN
    tuned.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Command handler'),
      MemorySize: 1024,
      Timeout: 30,
      Environment: { Variables: Match.objectLike({ [ENV.snapshotEvery]: '20', [ENV.maxConflictRetries]: '0', [ENV.idempotencyTtlSeconds]: '3600' }) },
    });
    tuned.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 7 }, 2);
  });
});
