import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { counterStack, TWO_PROJECTIONS } from './fixtures/aggregate';
import {
  actionsOf, COUNTER_TOTALS_EVENTS, COUNTER_VIEW_ENTRY, COUNTER_VIEW_EVENTS, logicalIdOf, NOT_A_PROJECTION_ENTRY, statementsOfRole,
} from './fixtures/stand-in-app';
import type { CqrsAggregate, ProjectionProps } from '../../lib';
import { ENV, FUNCTION_ROLES } from '../../lib/private/runtime-contract';
import { RESERVED_PROJECTION_NAMES } from '../../lib/private/projection-validation';

/** The resources of one projection that a test reads, by logical id. */
function idsOf(stack: Stack, projectionName: string) {
  const id = (part: string) => logicalIdOf(stack, `Counters/${projectionName}/${part}`);
  return { rule: id('Rule'), queue: id('Queue'), dlq: id('DeadLetterQueue'), fn: id('Function'), logGroup: id('LogGroup') };
}

describe('a projection', () => {
  let stack: Stack;
  let template: Template;
  let aggregate: CqrsAggregate;
  let view: ReturnType<typeof idsOf>;
  beforeAll(() => {
    // GIVEN an aggregate with two projections, default props
    ({ stack, template, aggregate } = counterStack({ projections: TWO_PROJECTIONS }));
    view = idsOf(stack, 'CounterView');
  });

  describe('routing', () => {
    test('has a rule on the aggregate\'s bus for its own event types, from this aggregate only', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: logicalIdOf(stack, 'Counters/Bus') },
        EventPattern: { 'source': ['cqrs.Counter'], 'detail-type': COUNTER_VIEW_EVENTS, 'detail': { aggregateName: ['Counter'] } },
        State: 'ENABLED',
      });
    });

    test('gives each projection a rule of its own module\'s events', () => {
      template.resourceCountIs('AWS::Events::Rule', 2);
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({ 'detail-type': COUNTER_TOTALS_EVENTS }),
      });
      expect(aggregate.projection('CounterView').eventTypes).toEqual(COUNTER_VIEW_EVENTS);
    });

    test('matches the events the module handles: change its handlers and the pattern changes', () => {
      // GIVEN a projection module with handlers for two events
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-rule-'));
      const entry = path.join(dir, 'shipping-view.ts');
      fs.writeFileSync(entry, [
        "import { defineProjection } from 'cdk-cqrs/runtime';",
        'export default defineProjection({}, { events: { OrderShipped: (v) => v, OrderPlaced: (v) => v } });',
      ].join('\n'));
      try {
        // WHEN
        const { template: changed } = counterStack({ projections: [{ projectionName: 'Shipping', entry }] });
        // THEN
        changed.hasResourceProperties('AWS::Events::Rule', {
          EventPattern: Match.objectLike({ 'detail-type': ['OrderPlaced', 'OrderShipped'] }),
        });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('sends to its queue with no input transformation, retried for a day, then to its DLQ', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({ 'detail-type': COUNTER_VIEW_EVENTS }),
        Targets: [{
          Id: 'Target0',
          Arn: { 'Fn::GetAtt': [view.queue, 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 24 * 3600, MaximumRetryAttempts: 185 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [view.dlq, 'Arn'] } },
          Input: Match.absent(),
          InputPath: Match.absent(),
          InputTransformer: Match.absent(),
        }],
      });
    });
  });

  describe('queue', () => {
    test('is encrypted (SSE-SQS), with a visibility timeout of 6 x the projector timeout and a redrive after 5 receives', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        VisibilityTimeout: 6 * 30,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [view.dlq, 'Arn'] }, maxReceiveCount: 5 },
      });
    });

    test('accepts only TLS, and messages from EventBridge for its own rule', () => {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: view.queue }],
        PolicyDocument: {
          Statement: [
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: Match.arrayWith(['sqs:SendMessage']),
              Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [view.rule, 'Arn'] } } },
            }),
          ],
        },
      });
    });

    test('has one DLQ for the redrive and the rule target: encrypted, TLS only, 14 days, and open to its rule', () => {
      expect(template.findResources('AWS::SQS::Queue')[view.dlq].Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: view.dlq }],
        PolicyDocument: {
          Statement: [
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [view.rule, 'Arn'] } } },
            }),
          ],
        },
      });
    });
  });

  describe('projector', () => {
    test('reads its queue in batches of 10, with partial batch failures, no batching window and at most 2 at once', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: view.fn },
        EventSourceArn: { 'Fn::GetAtt': [view.queue, 'Arn'] },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumBatchingWindowInSeconds: Match.absent(),
        ScalingConfig: { MaximumConcurrency: 2 },
      });
    });

    test('runs on Node.js 24, ARM64, JSON logs into its own log group, 256 MiB, 30 seconds', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'Projector CounterView of the Counter aggregate (cdk-cqrs)',
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: view.logGroup } },
        MemorySize: 256,
        Timeout: 30,
        Role: { 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/CounterView/Role'), 'Arn'] },
      });
      template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
    });

    test('knows the read model, the event store, its projection and its aggregate', () => {
      const fn = template.findResources('AWS::Lambda::Function')[view.fn];
      expect(fn.Properties.Environment.Variables).toEqual({
        [ENV.readModelTable]: { Ref: logicalIdOf(stack, 'Counters/ReadModel/Table') },
        [ENV.eventStoreTable]: { Ref: logicalIdOf(stack, 'Counters/EventStore/Table') },
        [ENV.projectionName]: 'CounterView',
        [ENV.aggregateName]: 'Counter',
        [ENV.functionRole]: FUNCTION_ROLES.projector,
      });
    });

    test('may query and scan the event store, get and put read-model items, take from its queue, write its logs and invoke itself, nothing else', () => {
      const statements = statementsOfRole(stack, 'Counters/CounterView/Role');
      expect(statements).toEqual([
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [view.logGroup, 'Arn'] } },
        {
          Effect: 'Allow',
          Action: ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          Resource: { 'Fn::GetAtt': [view.queue, 'Arn'] },
        },
        { Effect: 'Allow', Action: ['dynamodb:Query', 'dynamodb:Scan'], Resource: { 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/EventStore/Table'), 'Arn'] } },
        {
          Effect: 'Allow',
          Action: ['dynamodb:BatchGetItem', 'dynamodb:PutItem'],
          Resource: { 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/ReadModel/Table'), 'Arn'] },
        },
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [view.fn, 'Arn'] } },
      ]);
    });

    test('cannot write to the event store, delete read-model items, or use wildcards', () => {
      const statements = statementsOfRole(stack, 'Counters/CounterView/Role');
      const onEventStore = statements.filter((s) => JSON.stringify(s.Resource).includes(logicalIdOf(stack, 'Counters/EventStore/Table')));
      expect(actionsOf(onEventStore)).toEqual(['dynamodb:Query', 'dynamodb:Scan']);
      expect(actionsOf(statements)).not.toContain('dynamodb:DeleteItem');
      expect(actionsOf(statements).filter((a) => a.includes('*'))).toEqual([]);
      expect(statements.filter((s) => JSON.stringify(s.Resource).includes('*'))).toEqual([]);
    });

    test('gets a role of its own per projection', () => {
      const totals = statementsOfRole(stack, 'Counters/CounterTotals/Role');
      expect(JSON.stringify(totals)).not.toContain(view.queue);
      expect(JSON.stringify(totals)).toContain(idsOf(stack, 'CounterTotals').queue);
    });
  });

  describe('alarms and metrics', () => {
    test('adds two alarms per projection to the aggregate\'s, with no actions', () => {
      template.resourceCountIs('AWS::CloudWatch::Alarm', 2 + 2 * 2);
      expect(aggregate.alarms).toHaveLength(6);
      expect(aggregate.projection('CounterView').alarms).toHaveLength(2);
      template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent(), TreatMissingData: 'notBreaching' });
    });

    test('fire when the projector fails or the projection DLQ holds an event: one alarm on the sum of the two counts, naming both', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmDescription: Match.stringLikeRegexp('^Counter projection CounterView: the projector failed .* in its DLQ .*Errors \\(metricProjectorErrors\\) and the DLQ\'s ApproximateNumberOfMessagesVisible \\(metricDeadLetterMessages\\)'),
        Metrics: [
          Match.objectLike({ Expression: 'FILL(projectorErrors, 0) + FILL(deadLetters, 0)', ReturnData: true }),
          {
            Id: 'projectorErrors',
            MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: view.fn } }] }, Stat: 'Sum', Period: 60 },
            ReturnData: false,
          },
          {
            Id: 'deadLetters',
            MetricStat: {
              Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [view.dlq, 'QueueName'] } }] },
              Stat: 'Maximum',
              Period: 60,
            },
            ReturnData: false,
          },
        ],
        ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1, EvaluationPeriods: 1,
      });
    });

    test('fire when the oldest queued event stays older than 5 minutes for 5 minutes (lag)', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [view.queue, 'QueueName'] } }],
        Statistic: 'Maximum', Period: 60, ComparisonOperator: 'GreaterThanThreshold', Threshold: 300, EvaluationPeriods: 5,
      });
    });

    test('metricLag is the queue\'s ApproximateAgeOfOldestMessage, Maximum over 1 minute', () => {
      const metric = aggregate.projection('CounterView').metricLag();
      expect([metric.namespace, metric.metricName, metric.statistic, metric.period.toSeconds()]).toEqual(['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'Maximum', 60]);
      expect(stack.resolve(metric.dimensions)).toEqual({ QueueName: { 'Fn::GetAtt': [view.queue, 'QueueName'] } });
      expect(aggregate.projection('CounterView').metricLag({ period: Duration.minutes(5) }).period.toMinutes()).toBe(5);
    });

    test('metricDeadLetterMessages is the DLQ\'s ApproximateNumberOfMessagesVisible, Maximum over 1 minute', () => {
      const metric = aggregate.projection('CounterView').metricDeadLetterMessages();
      expect([metric.metricName, metric.statistic, metric.period.toSeconds()]).toEqual(['ApproximateNumberOfMessagesVisible', 'Maximum', 60]);
      expect(stack.resolve(metric.dimensions)).toEqual({ QueueName: { 'Fn::GetAtt': [view.dlq, 'QueueName'] } });
    });

    test('metricProjectorErrors is the projector\'s Errors, Sum over 1 minute', () => {
      const metric = aggregate.projection('CounterView').metricProjectorErrors();
      expect([metric.metricName, metric.statistic, metric.period.toSeconds()]).toEqual(['Errors', 'Sum', 60]);
      expect(stack.resolve(metric.dimensions)).toEqual({ FunctionName: { Ref: view.fn } });
    });
  });

  describe('lookup', () => {
    test('exposes the projections in order, and each by name', () => {
      expect(aggregate.projections.map((p) => p.projectionName)).toEqual(['CounterView', 'CounterTotals']);
      const found = aggregate.projection('CounterTotals');
      expect(stack.resolve(found.queue.queueArn)).toEqual({ 'Fn::GetAtt': [idsOf(stack, 'CounterTotals').queue, 'Arn'] });
      expect(stack.resolve(found.projector.functionName)).toEqual({ Ref: idsOf(stack, 'CounterTotals').fn });
      expect(stack.resolve(found.rule.ruleArn)).toEqual({ 'Fn::GetAtt': [idsOf(stack, 'CounterTotals').rule, 'Arn'] });
    });

    test('keeps its construct ids: one scope per projection, named by projectionName', () => {
      expect(aggregate.node.children.map((c) => c.node.id)).toEqual(expect.arrayContaining(['ReadModel', 'CounterView', 'CounterTotals']));
      expect(aggregate.projection('CounterView').node.children.map((c) => c.node.id).sort()).toEqual(
        ['Alarms', 'DeadLetterQueue', 'Function', 'LogGroup', 'Queue', 'Role', 'Rule', 'SelfInvokePolicy']);
    });

    test('fails to find a projection that does not exist, listing those that do', () => {
      expect(() => aggregate.projection('CounterVeiw')).toThrow(
        "CqrsAggregate 'Counters': no projection named 'CounterVeiw' (projections: 'CounterView', 'CounterTotals').");
    });
  });
});

describe('a projection with props given', () => {
  test('takes the batch size, batching window, concurrency, receive count, timeout and memory given', () => {
    // GIVEN / WHEN
    const { stack, template } = counterStack({
      projections: [{
        projectionName: 'CounterView', entry: COUNTER_VIEW_ENTRY,
        batchSize: 100, maxBatchingWindow: Duration.seconds(5), maxConcurrency: 50, maxReceiveCount: 3, timeout: Duration.minutes(2), memorySize: 1024,
      }],
    });
    // THEN
    const view = idsOf(stack, 'CounterView');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 100, MaximumBatchingWindowInSeconds: 5, ScalingConfig: { MaximumConcurrency: 50 }, FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 6 * 120, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [view.dlq, 'Arn'] }, maxReceiveCount: 3 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('^Projector CounterView'), MemorySize: 1024, Timeout: 120 });
  });

  test('batches for 1 second by default when batchSize is above 10, as SQS requires', () => {
    const { template } = counterStack({ projections: [{ projectionName: 'CounterView', entry: COUNTER_VIEW_ENTRY, batchSize: 11 }] });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 11, MaximumBatchingWindowInSeconds: 1 });
  });

  test('encrypts its queue and DLQ with the customer managed key, and may use the key for the tables', () => {
    // GIVEN / WHEN
    const { stack, template } = counterStack((scope) => ({
      encryptionKey: new kms.Key(scope, 'Key', { enableKeyRotation: true }),
      projections: [{ projectionName: 'CounterView', entry: COUNTER_VIEW_ENTRY }],
    }));
    // THEN
    const keyArn = { 'Fn::GetAtt': [logicalIdOf(stack, 'Key'), 'Arn'] };
    const view = idsOf(stack, 'CounterView');
    for (const queue of [view.queue, view.dlq]) {
      expect(template.findResources('AWS::SQS::Queue')[queue].Properties.KmsMasterKeyId).toEqual(keyArn);
    }
    const statements = statementsOfRole(stack, 'Counters/CounterView/Role');
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: expect.arrayContaining(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']),
      Resource: keyArn,
    });
    // EventBridge encrypts what it sends to the queue and the DLQ: the key lets it
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Principal: { Service: 'events.amazonaws.com' }, Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey*']),
      })]) },
    });
  });
});

describe('projection validation', () => {
  const withProjection = (props: Partial<ProjectionProps>) => () =>
    counterStack({ projections: [{ projectionName: 'CounterView', entry: COUNTER_VIEW_ENTRY, ...props }] });
  const at = "CqrsAggregate 'Counters': projection 'CounterView'";

  test.each([
    ['fails if batchSize is 0', { batchSize: 0 }, `${at}: batchSize must be an integer between 1 and 10000 (given 0).`],
    ['fails if batchSize is above 10000', { batchSize: 10001 }, `${at}: batchSize must be an integer between 1 and 10000 (given 10001).`],
    ['fails if maxConcurrency is 1 (SQS event sources take at least 2)', { maxConcurrency: 1 }, `${at}: maxConcurrency must be an integer between 2 and 1000 (given 1).`],
    ['fails if maxReceiveCount is 0', { maxReceiveCount: 0 }, `${at}: maxReceiveCount must be an integer between 1 and 1000 (given 0).`],
    ['fails if timeout is over 15 minutes', { timeout: Duration.minutes(16) }, `${at}: timeout must be between 1 second and 15 minutes (given 16 minutes).`],
    ['fails if memorySize is below 128 MiB', { memorySize: 64 }, `${at}: memorySize must be an integer between 128 and 10240 (given 64).`],
    ['fails if maxBatchingWindow is over 5 minutes', { maxBatchingWindow: Duration.minutes(6) }, `${at}: maxBatchingWindow must be between 0 seconds and 5 minutes (given 6 minutes).`],
    ['fails if batchSize is above 10 with no batching window', { batchSize: 50, maxBatchingWindow: Duration.seconds(0) },
      `${at}: a batchSize above 10 needs a maxBatchingWindow of at least 1 second (given batchSize 50, maxBatchingWindow 0 seconds).`],
    ['fails if projectionName has a dash', { projectionName: 'Counter-View' },
      "CqrsAggregate 'Counters': projectionName must be letters and digits, starting with a letter, at most 64 characters (given 'Counter-View')."],
    ['fails if projectionName takes the id of a part of the aggregate', { projectionName: 'ReadModel' },
      "CqrsAggregate 'Counters': projection 'ReadModel': projectionName must not be one of EventStore, Bus, SessionTable, CommandHandler, Publisher, Alarms, ReadModel, QueryHandler"],
  ])('%s', (_name, props, message) => {
    expect(withProjection(props as Partial<ProjectionProps>)).toThrow(message);
  });

  test('reserves the id of every part an aggregate with all its options creates, and no other', () => {
    // GIVEN an aggregate with every optional part: projections, read-your-writes, queries
    const { aggregate } = counterStack({
      projections: [{ projectionName: 'CounterView', entry: COUNTER_VIEW_ENTRY }],
      readYourWrites: {},
      queries: { entry: path.join(__dirname, 'fixtures', 'domain', 'counter-queries.ts') },
    });
    // THEN its own parts' ids are exactly the reserved names
    const partIds = aggregate.node.children.map((child) => child.node.id).filter((id) => id !== 'CounterView');
    expect([...partIds].sort()).toEqual([...RESERVED_PROJECTION_NAMES].sort());
  });

  test.each(['SessionTable', 'QueryHandler'])('fails if projectionName is %s, the id of an optional part', (projectionName) => {
    expect(withProjection({ projectionName })).toThrow(`projection '${projectionName}': projectionName must not be one of`);
  });

  test('fails if two projections share a name', () => {
    expect(() => counterStack({
      projections: [{ projectionName: 'CounterView', entry: COUNTER_VIEW_ENTRY }, { projectionName: 'CounterView', entry: COUNTER_VIEW_ENTRY }],
    })).toThrow("CqrsAggregate 'Counters': two projections are named 'CounterView': each projectionName must be unique within the aggregate.");
  });

  test('fails if entry does not exist, naming the projection and the path', () => {
    const missing = path.join(__dirname, 'fixtures', 'domain', 'counter-veiw.ts');
    expect(withProjection({ entry: missing })).toThrow(
      `${at}: entry not found at ${missing}. Point entry at a module whose default export is defineProjection(...).`);
  });

  test('fails if the module\'s default export is not a projection', () => {
    expect(withProjection({ entry: NOT_A_PROJECTION_ENTRY })).toThrow(
      `${at} (entry ${NOT_A_PROJECTION_ENTRY}): the module's default export must be defineProjection(...) or defineCustomProjection(...); it is defineAggregate(...).`);
  });
});
