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

/**
 * The three kinds of alarm, each with its comparison and its periods fixed, and with no actions.
 * Missing data is not breaching: no data is no traffic.
 */
const alarmOf = (comparison: cloudwatch.ComparisonOperator) =>
  (scope: Construct, id: string, description: string, metric: cloudwatch.IMetric, threshold: number, periods = 1): cloudwatch.Alarm =>
    new cloudwatch.Alarm(scope, id, {
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator: comparison,
      evaluationPeriods: periods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
/** Something is there that should not be (a dead letter, a failed invocation): at or above the threshold in one period. */
const countAlarm = alarmOf(cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
/** A delay above the threshold for `periods` periods in a row. */
const lagAlarm = alarmOf(cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD);

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
  public readonly alarms: cloudwatch.AlarmBase[];

  constructor(scope: Construct, id: string, props: AggregateAlarmsProps) {
    super(scope, id);
    this.alarms = [
      countAlarm(this, 'PublisherDeadLetterQueueNotEmpty',
        `${props.aggregateName}: stored events failed to reach the bus; their stream positions are in the publisher's DLQ.`,
        props.publisherDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1) }),
        ALARM_THRESHOLDS.deadLetterMessages),
      lagAlarm(this, 'PublisherLag',
        `${props.aggregateName}: the publisher is more than ${ALARM_THRESHOLDS.publisherLagInMinutes} minutes behind the event store.`,
        props.publisherLag, Duration.minutes(ALARM_THRESHOLDS.publisherLagInMinutes).toMilliseconds(), ALARM_THRESHOLDS.publisherLagForMinutes),
      countAlarm(this, 'CommandHandlerErrors',
        `${props.aggregateName}: the command handler failed (rejected commands are answers and do not count).`,
        props.commandErrors, ALARM_THRESHOLDS.commandErrorsPerMinute),
    ];
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
  public readonly alarms: cloudwatch.AlarmBase[];

  constructor(scope: Construct, id: string, props: ProjectionAlarmsProps) {
    super(scope, id);
    const name = `${props.aggregateName} projection ${props.projectionName}`;
    this.alarms = [
      countAlarm(this, 'DeadLetterQueueNotEmpty',
        `${name}: events that could not be projected are in its DLQ; fix the cause, then redrive them.`,
        props.deadLetterMessages, PROJECTION_ALARM_THRESHOLDS.deadLetterMessages),
      lagAlarm(this, 'Lag',
        `${name}: the read model is more than ${PROJECTION_ALARM_THRESHOLDS.lagInMinutes} minutes behind (age of the oldest queued event).`,
        props.lag, Duration.minutes(PROJECTION_ALARM_THRESHOLDS.lagInMinutes).toSeconds(), PROJECTION_ALARM_THRESHOLDS.lagForMinutes),
      countAlarm(this, 'ProjectorErrors',
        `${name}: the projector failed whole invocations (timeouts, crashes); their events are retried.`,
        props.projectorErrors, PROJECTION_ALARM_THRESHOLDS.projectorErrorsPerMinute),
    ];
  }
}
