import type { Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { counterStack } from './fixtures/aggregate';
import { logicalIdOf } from './fixtures/stand-in-app';
import type { CqrsAggregate } from '../../lib';

describe('the alarms of an aggregate', () => {
  let stack: Stack;
  let template: Template;
  let aggregate: CqrsAggregate;
  beforeAll(() => {
    // GIVEN an aggregate with default props
    ({ stack, template, aggregate } = counterStack());
  });

  test('are three, exposed with no actions so users add theirs', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    expect(aggregate.alarms).toHaveLength(3);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent(), TreatMissingData: 'notBreaching' });
  });

  test('fire when the publisher DLQ holds a message', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/Publisher/DeadLetterQueue'), 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
    });
  });

  test('fire when the publisher stays more than 5 minutes behind the event store for 5 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(stack, 'Counters/Publisher/Function') } }],
      Statistic: 'Maximum',
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 5 * 60 * 1000,
      EvaluationPeriods: 5,
    });
  });

  test('fire when the command handler fails (a fault, not a rejected command)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(stack, 'Counters/CommandHandler/Function') } }],
      Statistic: 'Sum',
      Period: 60,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
    });
  });

  test('come with no dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });
});
