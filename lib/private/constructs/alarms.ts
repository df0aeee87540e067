import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Thresholds of the aggregate's alarms, each with its unit in its name. */
export const ALARM_THRESHOLDS = {
  /** The publisher is this far behind the event store (age of the oldest record it read). */
  publisherLagInMinutes: 5,
  /** Minutes in a row the lag must stay above the threshold. */
  publisherLagForMinutes: 5,
  /** Failed invocations of the command handler in one minute. */
  commandErrorsPerMinute: 1,
  /** Batches in the publisher's DLQ. */
  deadLetterMessages: 1,
};

/** Thresholds of each projection's alarms, each with its unit in its name. */
export const PROJECTION_ALARM_THRESHOLDS = {
  /** The oldest event in the projection's queue is this old: the read model is this far behind. */
  lagInMinutes: 5,
  /** Minutes in a row the lag must stay above the threshold. */
  lagForMinutes: 5,
  /** Failed invocations of the projector in one minute (a message that fails alone is no invocation error). */
  projectorErrorsPerMinute: 1,
  /** Events in the projection's DLQ. */
  deadLetterMessages: 1,
};

interface AlarmSpec {
  readonly description: string;
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  /** Periods in a row the metric must breach. */
  readonly periods: number;
}

/** An alarm with no actions that treats missing data as not breaching: no data is no traffic. */
function alarm(scope: Construct, id: string, spec: AlarmSpec): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: spec.description,
    metric: spec.metric,
    threshold: spec.threshold,
    comparisonOperator: spec.comparison,
    evaluationPeriods: spec.periods,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** The metrics the alarms watch, taken from the owning constructs' metric methods. */
export interface AggregateAlarmsProps {
  /** The aggregate's name, for the descriptions. */
  readonly aggregateName: string;
  /** `CqrsAggregate.metricPublisherLag()`. */
  readonly publisherLag: cloudwatch.IMetric;
  /** `CqrsAggregate.metricCommandErrors()`. */
  readonly commandErrors: cloudwatch.IMetric;
  /** The publisher's DLQ. */
  readonly publisherDeadLetterQueue: sqs.IQueue;
}

/**
 * The alarms of one aggregate, with no actions: add yours (`alarm.addAlarmAction(...)`).
 * Each alarm fixes its comparison and treats missing data as not breaching (no data is no
 * traffic). No dashboard: an aggregate stays lean under the 500-resource cap of a stack.
 */
export class AggregateAlarms extends Construct {
  /** Every alarm below. */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: AggregateAlarmsProps) {
    super(scope, id);
    const deadLetters = alarm(this, 'PublisherDeadLetterQueueNotEmpty', {
      description: `${props.aggregateName}: stored events failed to reach the bus; their stream positions are in the publisher's DLQ.`,
      metric: props.publisherDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      threshold: ALARM_THRESHOLDS.deadLetterMessages,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      periods: 1,
    });
    const lag = alarm(this, 'PublisherLag', {
      description: `${props.aggregateName}: the publisher is more than ${ALARM_THRESHOLDS.publisherLagInMinutes} minutes behind the event store.`,
      metric: props.publisherLag,
      threshold: Duration.minutes(ALARM_THRESHOLDS.publisherLagInMinutes).toMilliseconds(),
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      periods: ALARM_THRESHOLDS.publisherLagForMinutes,
    });
    const errors = alarm(this, 'CommandHandlerErrors', {
      description: `${props.aggregateName}: the command handler failed (rejected commands are answers and do not count).`,
      metric: props.commandErrors,
      threshold: ALARM_THRESHOLDS.commandErrorsPerMinute,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      periods: 1,
    });
    this.alarms = [deadLetters, lag, errors];
  }
}

/** The metrics a projection's alarms watch, taken from the projection's metric methods. */
export interface ProjectionAlarmsProps {
  /** The aggregate's name, for the descriptions. */
  readonly aggregateName: string;
  /** The projection's name, for the descriptions. */
  readonly projectionName: string;
  /** `metricLag()`: the age of the oldest message in the projection's queue, in seconds. */
  readonly lag: cloudwatch.IMetric;
  /** `metricDeadLetterMessages()`. */
  readonly deadLetterMessages: cloudwatch.IMetric;
  /** `metricProjectorErrors()`. */
  readonly projectorErrors: cloudwatch.IMetric;
}

/**
 * The alarms of one projection, with no actions, in the style of `AggregateAlarms`: its DLQ
 * holds an event, its read model lags, its projector fails.
 */
export class ProjectionAlarms extends Construct {
  /** Every alarm below. */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: ProjectionAlarmsProps) {
    super(scope, id);
    const name = `${props.aggregateName} projection ${props.projectionName}`;
    const deadLetters = alarm(this, 'DeadLetterQueueNotEmpty', {
      description: `${name}: events that could not be projected are in its DLQ; fix the cause, then redrive them.`,
      metric: props.deadLetterMessages,
      threshold: PROJECTION_ALARM_THRESHOLDS.deadLetterMessages,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      periods: 1,
    });
    const lag = alarm(this, 'Lag', {
      description: `${name}: the read model is more than ${PROJECTION_ALARM_THRESHOLDS.lagInMinutes} minutes behind (age of the oldest queued event).`,
      metric: props.lag,
      threshold: Duration.minutes(PROJECTION_ALARM_THRESHOLDS.lagInMinutes).toSeconds(),
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      periods: PROJECTION_ALARM_THRESHOLDS.lagForMinutes,
    });
    const errors = alarm(this, 'ProjectorErrors', {
      description: `${name}: the projector failed whole invocations (timeouts, crashes); their events are retried.`,
      metric: props.projectorErrors,
      threshold: PROJECTION_ALARM_THRESHOLDS.projectorErrorsPerMinute,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      periods: 1,
    });
    this.alarms = [deadLetters, lag, errors];
  }
}
