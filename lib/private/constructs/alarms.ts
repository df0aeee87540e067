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
  /**
   * Failed invocations of the command handler in one minute plus batches in the publisher's DLQ:
   * one of either fires the alarm (see `countsAlarm`).
   */
  commandErrorsOrDeadLetters: 1,
};

/** Thresholds of each projection's alarms, each with its unit in its name. */
export const PROJECTION_ALARM_THRESHOLDS = {
  /** The oldest event in the projection's queue is this old: the read model is this far behind. */
  lagInMinutes: 5,
  /** Minutes in a row the lag must stay above the threshold. */
  lagForMinutes: 5,
  /**
   * Failed invocations of the projector in one minute (a message that fails alone is no
   * invocation error) plus events in the projection's DLQ: one of either fires the alarm.
   */
  projectorErrorsOrDeadLetters: 1,
};

/** One period of every alarm: a minute. */
const ALARM_PERIOD = Duration.minutes(1);

/**
 * Something is there that should not be (a dead letter, a failed invocation), at or above the
 * threshold in one period, with no actions. Missing data is not breaching: no data is no traffic.
 *
 * Two counts share one alarm, on the metric math `FILL(a, 0) + FILL(b, 0)`: one resource where
 * two alarms were, under the 500-resource cap of a stack. Both are non-negative whole numbers (a
 * queue's visible messages, failed invocations), so at a threshold of 1 the sum reaches it in a
 * minute exactly when either does, which is when either of two alarms at 1 would have fired.
 * `FILL` counts a minute with no data point as 0, so a minute in which only one metric reports
 * still adds up. A metric-math alarm takes at most 10 metrics; this one has 2.
 */
function countsAlarm(scope: Construct, id: string, description: string, label: string, counts: Record<string, cloudwatch.IMetric>, threshold: number): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric: new cloudwatch.MathExpression({
      expression: Object.keys(counts).map((name) => `FILL(${name}, 0)`).join(' + '),
      usingMetrics: counts,
      label,
      period: ALARM_PERIOD,
    }),
    threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

/** A delay above the threshold for `periods` periods in a row, with no actions; missing data is not breaching. */
function lagAlarm(scope: Construct, id: string, description: string, metric: cloudwatch.IMetric, threshold: number, periods: number): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: description,
    metric,
    threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: periods,
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
 * No dashboard: an aggregate stays lean under the 500-resource cap of a stack.
 */
export class AggregateAlarms extends Construct {
  /** Every alarm below. */
  public readonly alarms: cloudwatch.AlarmBase[];

  constructor(scope: Construct, id: string, props: AggregateAlarmsProps) {
    super(scope, id);
    this.alarms = [
      countsAlarm(this, 'CommandErrorsOrPublisherDeadLetters',
        `${props.aggregateName}: the command handler failed (a fault; rejected commands are answers and do not count), `
        + 'or stored events failed to reach the bus and their stream positions are in the publisher\'s DLQ. '
        + 'See which: the command handler\'s Errors (metricCommandErrors) and the publisher DLQ\'s ApproximateNumberOfMessagesVisible (publisherDeadLetterQueue).',
        'Command handler errors + publisher DLQ messages',
        {
          commandErrors: props.commandErrors,
          publisherDeadLetters: props.publisherDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: ALARM_PERIOD }),
        },
        ALARM_THRESHOLDS.commandErrorsOrDeadLetters),
      lagAlarm(this, 'PublisherLag',
        `${props.aggregateName}: the publisher is more than ${ALARM_THRESHOLDS.publisherLagInMinutes} minutes behind the event store.`,
        props.publisherLag, Duration.minutes(ALARM_THRESHOLDS.publisherLagInMinutes).toMilliseconds(), ALARM_THRESHOLDS.publisherLagForMinutes),
    ];
  }
}

/** The metrics a projection's alarms watch, taken from the projection's metric methods. */
export interface ProjectionAlarmsProps {
  /** Whose projection it is, for the descriptions: the aggregate's name, or the SQL read model's. */
  readonly owner: string;
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
 * The alarms of one projection, with no actions, in the style of `AggregateAlarms`: its
 * projector fails or its DLQ holds an event (one alarm), its read model lags.
 */
export class ProjectionAlarms extends Construct {
  /** Every alarm below. */
  public readonly alarms: cloudwatch.AlarmBase[];

  constructor(scope: Construct, id: string, props: ProjectionAlarmsProps) {
    super(scope, id);
    const name = `${props.owner} projection ${props.projectionName}`;
    this.alarms = [
      countsAlarm(this, 'ProjectorErrorsOrDeadLetters',
        `${name}: the projector failed whole invocations (timeouts, crashes; their events are retried), `
        + 'or events that could not be projected are in its DLQ (fix the cause, then redrive them). '
        + 'See which: the projector\'s Errors (metricProjectorErrors) and the DLQ\'s ApproximateNumberOfMessagesVisible (metricDeadLetterMessages).',
        'Projector errors + DLQ messages',
        { projectorErrors: props.projectorErrors, deadLetters: props.deadLetterMessages },
        PROJECTION_ALARM_THRESHOLDS.projectorErrorsOrDeadLetters),
      lagAlarm(this, 'Lag',
        `${name}: the read model is more than ${PROJECTION_ALARM_THRESHOLDS.lagInMinutes} minutes behind (age of the oldest queued event).`,
        props.lag, Duration.minutes(PROJECTION_ALARM_THRESHOLDS.lagInMinutes).toSeconds(), PROJECTION_ALARM_THRESHOLDS.lagForMinutes),
    ];
  }
}
