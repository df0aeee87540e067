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

  test('are two, exposed with no actions so users add theirs', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    expect(aggregate.alarms).toHaveLength(2);
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: Match.absent(), TreatMissingData: 'notBreaching' });
  });

  test('fire when the command handler fails (a fault, not a rejected command) or the publisher DLQ holds a message: one alarm on the sum of the two counts', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [
        Match.objectLike({ Expression: 'FILL(commandErrors, 0) + FILL(publisherDeadLetters, 0)', ReturnData: true }),
        {
          Id: 'commandErrors',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Errors',
              Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(stack, 'Counters/CommandHandler/Function') } }],
            },
            Stat: 'Sum',
            Period: 60,
          },
          ReturnData: false,
        },
        {
          Id: 'publisherDeadLetters',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/SQS',
              MetricName: 'ApproximateNumberOfMessagesVisible',
              Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/Publisher/DeadLetterQueue'), 'QueueName'] } }],
            },
            Stat: 'Maximum',
            Period: 60,
          },
          ReturnData: false,
        },
      ],
      // Whole counts: a sum at or above 1 is one of them at or above 1, as two alarms at 1 said.
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
    });
  });

  test('say in the merged alarm\'s description what fired it and which two metrics tell which', () => {
    const [alarm] = Object.values(template.findResources('AWS::CloudWatch::Alarm', { Properties: { Metrics: Match.anyValue() } }));
    const description = alarm.Properties.AlarmDescription as string;
    for (const words of ['command handler failed', 'publisher\'s DLQ', 'Errors (metricCommandErrors)', 'ApproximateNumberOfMessagesVisible (publisherDeadLetterQueue)']) {
      expect(description).toContain(words);
    }
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

  test('come with no dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  });
});
