import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Token, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { counterStack, TWO_PROJECTIONS } from './fixtures/aggregate';
import { COUNTER_ENTRY, COUNTER_QUERIES_ENTRY, logicalIdOf, newStack, statementsOfRole } from './fixtures/stand-in-app';
import { CqrsAggregate, type CqrsAggregateProps } from '../../lib';

/** CloudFormation's quota of resources in one stack. */
const STACK_RESOURCE_LIMIT = 500;

describe('CqrsAggregate', () => {
  let stack: Stack;
  let template: Template;
  let aggregate: CqrsAggregate;
  beforeAll(() => {
    // GIVEN an aggregate with default props, and a function that sends it commands
    ({ stack, aggregate } = counterStack());
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    aggregate.grantSendCommand(caller);
    template = Template.fromStack(stack);
  });

  test('provisions a lean, fixed set of resources (growth must be deliberate: 500 per stack)', () => {
    const counts: Record<string, number> = {
      'AWS::DynamoDB::GlobalTable': 1,
      'AWS::Events::EventBus': 1,
      'AWS::Lambda::Function': 2,
      'AWS::Lambda::EventSourceMapping': 1,
      'AWS::IAM::Role': 2 + 1, // + the caller of this test
      // The roles hold their permissions inline; the publisher's self-invoke (a republish goes on) is
      // a policy apart (no cycle); + the caller's default policy
      'AWS::IAM::Policy': 1 + 1,
      'AWS::Logs::LogGroup': 2,
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
      'AWS::CloudWatch::Alarm': 2, // errors or dead letters (one metric-math alarm), lag
    };
    for (const [type, count] of Object.entries(counts)) template.resourceCountIs(type, count);
    expect(Object.keys(template.toJSON().Resources)).toHaveLength(Object.values(counts).reduce((a, b) => a + b));
  });

  test('with two projections, stays lean: 25 more resources, 39 in all (12 per projection + the read model)', () => {
    // GIVEN / WHEN
    const { template: projected } = counterStack({ projections: TWO_PROJECTIONS });
    // THEN
    const counts: Record<string, number> = {
      'AWS::DynamoDB::GlobalTable': 1 + 1, // + the read model
      'AWS::Events::EventBus': 1,
      'AWS::Events::Rule': 2,
      'AWS::Lambda::Function': 2 + 2,
      'AWS::Lambda::EventSourceMapping': 1 + 2,
      'AWS::IAM::Role': 2 + 2,
      'AWS::IAM::Policy': 1 + 2, // each projector's self-invoke (a rebuild goes on), apart from its role (no cycle)
      'AWS::Logs::LogGroup': 2 + 2,
      'AWS::SQS::Queue': 1 + 2 * 2, // a queue and one DLQ (redrive and rule target) per projection
      'AWS::SQS::QueuePolicy': 1 + 2 * 2,
      'AWS::CloudWatch::Alarm': 2 + 2 * 2,
    };
    for (const [type, count] of Object.entries(counts)) projected.resourceCountIs(type, count);
    expect(Object.keys(projected.toJSON().Resources)).toHaveLength(Object.values(counts).reduce((a, b) => a + b));
    expect(Object.keys(projected.toJSON().Resources)).toHaveLength(39);
  });

  test('docs/architecture.md says how many resources each shape of aggregate has, and how many such aggregates fit a stack', () => {
    // GIVEN the shapes the docs list, each alone in a stack with its own bus
    const shapes: [string, Partial<CqrsAggregateProps>][] = [
      ['no projection', {}],
      ['one projection', { projections: [TWO_PROJECTIONS[0]] }],
      ['two projections', { projections: TWO_PROJECTIONS }],
      ['two projections and queries', { projections: TWO_PROJECTIONS, queries: { entry: COUNTER_QUERIES_ENTRY } }],
      ['two projections, queries and readYourWrites', { projections: TWO_PROJECTIONS, queries: { entry: COUNTER_QUERIES_ENTRY }, readYourWrites: {} }],
    ];
    const architecture = fs.readFileSync(path.join(__dirname, '../../docs/architecture.md'), 'utf8');
    const counts = shapes.map(([shape, props]) => {
      const resources = Object.keys(counterStack(props).template.toJSON().Resources).length;
      // THEN the docs have the row: the count, and how many fit CloudFormation's 500 resources per stack
      expect(architecture).toContain(`| ${shape} | ${resources} | ${Math.floor(STACK_RESOURCE_LIMIT / resources)} |`);
      return resources;
    });
    // The budget: an aggregate with two projections in at most 40, so 12 fit a stack.
    expect(counts[2]).toBeLessThanOrEqual(40);
    expect(Math.floor(STACK_RESOURCE_LIMIT / counts[2])).toBe(12);
  });

  test('keeps its construct ids: EventStore, Bus, CommandHandler, Publisher', () => {
    expect(aggregate.node.children.map((c) => c.node.id)).toEqual(
      expect.arrayContaining(['EventStore', 'Bus', 'CommandHandler', 'Publisher']));
  });

  test('publishes with source cqrs.<aggregateName> by default', () => {
    expect(aggregate.eventSource).toBe('cqrs.Counter');
  });

  test('owns a new bus when no eventBus is given', () => {
    expect(stack.resolve(aggregate.eventBus.eventBusArn)).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/Bus'), 'Arn'] });
  });

  test('exposes its parts', () => {
    expect(stack.resolve(aggregate.eventStore.tableArn)).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/EventStore/Table'), 'Arn'] });
    expect(stack.resolve(aggregate.commandHandler.functionName)).toEqual({ Ref: logicalIdOf(stack, 'Counters/CommandHandler/Function') });
    expect(stack.resolve(aggregate.publisher.functionName)).toEqual({ Ref: logicalIdOf(stack, 'Counters/Publisher/Function') });
    expect(stack.resolve(aggregate.publisherDeadLetterQueue.queueArn)).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/Publisher/DeadLetterQueue'), 'Arn'] });
  });

  test('grantSendCommand lets the grantee invoke the command handler, and nothing else', () => {
    const functionId = logicalIdOf(stack, 'Counters/CommandHandler/Function');
    expect(statementsOfRole(stack, 'Caller')).toEqual([{
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: [
        { 'Fn::GetAtt': [functionId, 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [functionId, 'Arn'] }, ':*']] },
      ],
    }]);
  });

  test('metricPublisherLag is the publisher IteratorAge, Maximum over 1 minute', () => {
    const metric = aggregate.metricPublisherLag();
    expect(metric.metricName).toBe('IteratorAge');
    expect(metric.statistic).toBe('Maximum');
    expect(metric.period.toSeconds()).toBe(60);
    expect(stack.resolve(metric.dimensions)).toEqual({ FunctionName: { Ref: logicalIdOf(stack, 'Counters/Publisher/Function') } });
    expect(aggregate.metricPublisherLag({ period: Duration.minutes(5) }).period.toMinutes()).toBe(5);
  });

  test('metricCommandErrors is the command handler Errors, Sum over 1 minute', () => {
    const metric = aggregate.metricCommandErrors();
    expect(metric.metricName).toBe('Errors');
    expect(metric.statistic).toBe('Sum');
    expect(metric.period.toSeconds()).toBe(60);
    expect(stack.resolve(metric.dimensions)).toEqual({ FunctionName: { Ref: logicalIdOf(stack, 'Counters/CommandHandler/Function') } });
  });

  test('uses the given bus and creates none, when eventBus is given', () => {
    // GIVEN / WHEN
    const given = counterStack((scope) => ({ eventBus: events.EventBus.fromEventBusName(scope, 'Shared', 'shared-bus') }));
    // THEN
    given.template.resourceCountIs('AWS::Events::EventBus', 0);
    expect(given.aggregate.eventBus.eventBusName).toBe('shared-bus');
  });

  test('lets several aggregates share one bus', () => {
    // GIVEN
    const { stack: shared } = newStack();
    const bus = new events.EventBus(shared, 'SharedBus');
    // WHEN
    new CqrsAggregate(shared, 'Counters', { aggregateName: 'Counter', entry: COUNTER_ENTRY, eventBus: bus, namespace: 'shop' });
    new CqrsAggregate(shared, 'Tallies', { aggregateName: 'Tally', entry: COUNTER_ENTRY, eventBus: bus, namespace: 'shop' });
    // THEN
    const t = Template.fromStack(shared);
    t.resourceCountIs('AWS::Events::EventBus', 1);
    t.resourcePropertiesCountIs('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CQRS_EVENT_BUS_NAME: { Ref: logicalIdOf(shared, 'SharedBus') } }) },
    }, 2);
  });

  test('publishes with source <namespace>.<aggregateName> when namespace is given', () => {
    const { aggregate: named } = counterStack({ namespace: 'shop.sales' });
    expect(named.eventSource).toBe('shop.sales.Counter');
  });

  test('resolves a relative entry against the working directory', () => {
    expect(() => counterStack({ entry: path.relative(process.cwd(), COUNTER_ENTRY) })).not.toThrow();
  });

  describe('validation', () => {
    const fails = (props: Partial<CqrsAggregateProps>) => () => counterStack(props);

    test.each([
      ['fails if snapshotEvery is 0', { snapshotEvery: 0 }, "CqrsAggregate 'Counters': snapshotEvery must be an integer between 1 and 1000 (given 0)."],
      ['fails if snapshotEvery is above 1000', { snapshotEvery: 1001 }, 'snapshotEvery must be an integer between 1 and 1000 (given 1001).'],
      ['fails if snapshotEvery is not an integer', { snapshotEvery: 2.5 }, 'snapshotEvery must be an integer between 1 and 1000 (given 2.5).'],
      ['fails if maxConflictRetries is negative', { maxConflictRetries: -1 }, 'maxConflictRetries must be an integer between 0 and 10 (given -1).'],
      ['fails if commandHandlerMemorySize is below 128 MiB', { commandHandlerMemorySize: 64 }, 'commandHandlerMemorySize must be an integer between 128 and 10240 (given 64).'],
      ['fails if idempotencyTtl is under a minute', { idempotencyTtl: Duration.seconds(30) }, 'idempotencyTtl must be between 1 minute and 365 days (given 30 seconds).'],
      ['fails if commandHandlerTimeout is over 15 minutes', { commandHandlerTimeout: Duration.minutes(16) }, 'commandHandlerTimeout must be between 1 second and 15 minutes (given 16 minutes).'],
      ['fails if aggregateName starts with a digit', { aggregateName: '1Customer' }, "aggregateName must be letters and digits, starting with a letter, at most 64 characters (given '1Customer')."],
      ['fails if aggregateName has a dot', { aggregateName: 'Customer.V2' }, "(given 'Customer.V2')"],
      ['fails if namespace has a space', { namespace: 'my shop' }, "namespace must be letters, digits, '.', '-' and '_', starting with a letter, at most 128 characters (given 'my shop')."],
      ['fails if namespace starts with aws.', { namespace: 'aws.shop' }, "namespace must not start with 'aws.', which AWS reserves for its own events (given 'aws.shop')."],
    ])('%s', (_name, props, message) => {
      expect(fails(props as Partial<CqrsAggregateProps>)).toThrow(message);
    });

    test('fails if entry does not exist, naming the prop and the path', () => {
      const missing = path.join(__dirname, 'fixtures', 'domain', 'customr.ts');
      expect(fails({ entry: missing })).toThrow(
        `CqrsAggregate 'Counters': entry not found at ${missing}. Point entry at a module whose default export is defineAggregate(...).`);
    });

    test('skips the checks of values that are Tokens', () => {
      expect(fails({ snapshotEvery: Token.asNumber({ Ref: 'SnapshotEvery' }) })).not.toThrow();
    });
  });
});
