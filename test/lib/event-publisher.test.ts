import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import { counterStack } from './fixtures/aggregate';
import { actionsOf, logicalIdOf, statementsOfRole } from './fixtures/stand-in-app';
import { ENV, FUNCTION_ROLES } from '../../lib/private/runtime-contract';
import { republishCommandFor } from '../../lib/private/constructs/event-publisher';
import type { CqrsAggregate } from '../../lib';

describe('the publisher (outbox)', () => {
  let stack: Stack;
  let template: Template;
  let aggregate: CqrsAggregate;
  let tableId: string;
  let busId: string;
  let dlqId: string;
  beforeAll(() => {
    // GIVEN an aggregate with its own bus, next to an unrelated bus
    ({ stack, template, aggregate } = counterStack((scope) => {
      new events.EventBus(scope, 'UnrelatedBus');
      return {};
    }));
    tableId = logicalIdOf(stack, 'Counters/EventStore/Table');
    busId = logicalIdOf(stack, 'Counters/Bus');
    dlqId = logicalIdOf(stack, 'Counters/Publisher/DeadLetterQueue');
  });

  test('runs on Node.js 24, ARM64, with JSON logs, and knows its bus and event source', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Publishes the stored events of the Counter aggregate'),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logicalIdOf(stack, 'Counters/Publisher/LogGroup') } },
      Environment: {
        Variables: {
          [ENV.eventBusName]: { Ref: busId },
          [ENV.eventSource]: 'cqrs.Counter',
          [ENV.aggregateName]: 'Counter',
          [ENV.eventStoreTable]: { Ref: tableId },
          [ENV.functionRole]: FUNCTION_ROLES.publisher,
        },
      },
    });
  });

  test('reads the stream from the start, in order, bisecting failed batches, with partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(stack, 'Counters/Publisher/Function') },
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
  });

  test('receives only inserted event items (no snapshots, no idempotency records)', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['event'] } } } }) }],
      },
    });
  });

  test('has a dead-letter queue with SSE, TLS only and 14 days retention', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: [Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
      },
    });
  });

  test('may read the stream, put events on its bus, send to its DLQ, write its logs, and republish; nothing else', () => {
    const statements = statementsOfRole(stack, 'Counters/Publisher/Role');
    expect(actionsOf(statements)).toEqual([
      'dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams',
      'dynamodb:Query', 'dynamodb:Scan',
      'events:PutEvents', 'lambda:InvokeFunction', 'logs:CreateLogStream', 'logs:PutLogEvents',
      'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage',
    ]);
    // A republish: Scan and Query on the event store (no index, no other table), and invoking itself.
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['dynamodb:Scan', 'dynamodb:Query'], Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/Publisher/Function'), 'Arn'] } });
    expect(statements).toContainEqual({
      Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] },
      Condition: { StringEquals: { 'events:source': 'cqrs.Counter' } },
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
      Resource: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
    });
    expect(statements).toContainEqual({
      Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], Resource: { 'Fn::GetAtt': [dlqId, 'Arn'] },
    });
    expect(statements).toContainEqual({ Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: { 'Fn::GetAtt': [tableId, 'StreamArn'] } });
    expect(statements.filter((s) => JSON.stringify(s.Resource).includes('*'))).toEqual([]);
  });

  // Without the condition, the publisher could put events under another aggregate's source on a shared bus.
  test('puts events on the given bus only, and only under its aggregate\'s source, when eventBus is given', () => {
    // GIVEN / WHEN
    const given = counterStack((scope) => ({ eventBus: events.EventBus.fromEventBusName(scope, 'Shared', 'shared-bus') }));
    // THEN
    const putEvents = statementsOfRole(given.stack, 'Counters/Publisher/Role').filter((s) => actionsOf([s]).includes('events:PutEvents'));
    expect(putEvents).toEqual([{
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:eu-west-1:111111111111:event-bus/shared-bus']] },
      Condition: { StringEquals: { 'events:source': 'cqrs.Counter' } },
    }]);
    given.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.eventBusName]: 'shared-bus' }) },
    });
  });

  test('republishCommand invokes the publisher with a republish request of a window to fill in; the README shows it', () => {
    const command = stack.resolve(aggregate.republishCommand);
    expect(command).toEqual({
      'Fn::Join': ['', [
        'aws lambda invoke --function-name ',
        { Ref: logicalIdOf(stack, 'Counters/Publisher/Function') },
        ' --cli-binary-format raw-in-base64-out --payload \'{"republish":{"from":"<from>","to":"<to>"}}\' /dev/stdout',
      ]],
    });
    const payload = /--payload '([^']*)'/.exec(republishCommandFor('f'))?.[1];
    expect(JSON.parse(payload ?? 'null')).toEqual({ republish: { from: '<from>', to: '<to>' } });
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    expect(readme).toContain(republishCommandFor('<publisher function name>'));
  });

  test('grants the self-invoke apart from the role\'s inline policy, so the function does not depend on it (no cycle)', () => {
    const policyId = logicalIdOf(stack, 'Counters/Publisher/SelfInvokePolicy');
    const roleId = logicalIdOf(stack, 'Counters/Publisher/Role');
    const fnId = logicalIdOf(stack, 'Counters/Publisher/Function');
    expect(template.findResources('AWS::Lambda::Function')[fnId].DependsOn).toEqual([roleId]);
    expect(JSON.stringify(template.findResources('AWS::IAM::Role')[roleId].Properties.Policies)).not.toContain(fnId);
    expect(template.findResources('AWS::IAM::Policy')[policyId].Properties.Roles).toEqual([{ Ref: roleId }]);
  });

  test('encrypts its DLQ with the customer managed key when encryptionKey is given', () => {
    // GIVEN / WHEN
    const encrypted = counterStack((scope) => ({ encryptionKey: new kms.Key(scope, 'Key', { enableKeyRotation: true }) }));
    // THEN
    encrypted.template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalIdOf(encrypted.stack, 'Key'), 'Arn'] },
    });
    // A republish reads the encrypted event store: it may decrypt, with that one key only.
    const keyStatements = statementsOfRole(encrypted.stack, 'Counters/Publisher/Role').filter((s) => actionsOf([s]).some((a) => a.startsWith('kms:')));
    expect(actionsOf(keyStatements)).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:DescribeKey']));
    expect(new Set(keyStatements.map((s) => JSON.stringify(s.Resource)))).toEqual(new Set([JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(encrypted.stack, 'Key'), 'Arn'] })]));
  });
});
