import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { publisherCode } from '../bundling/function-code';
import { EVENT_BUS_PUBLISH_ACTIONS, EVENT_STORE_REPUBLISH_ACTIONS, SELF_INVOKE_ACTIONS, TABLE_KEY_READ_ACTIONS } from '../iam-actions';
import { createOwnedFunction } from './owned-function';
import { ENV, EVENT_STORE, FUNCTION_ROLES } from '../runtime-contract';

/** How the publisher reads the stream. */
export const PUBLISHER_STREAM = {
  /**
   * Records per invocation. The publisher puts one event per aggregate in a PutEvents request (at
   * most 10 entries), so a batch of one aggregate's events takes one request each.
   */
  batchSize: 10,
  /** Bounded: after these, the batch's position goes to the DLQ and the stream moves on. */
  retryAttempts: 10,
  memorySize: 256,
  timeout: Duration.seconds(30),
  deadLetterRetention: Duration.days(14),
};

/**
 * The AWS CLI command that republishes the stored events of a time window (`CqrsAggregate.republishCommand`):
 * replace `<from>` and `<to>` by ISO 8601 times. Invoked synchronously, so that a refused request
 * answers with its error; the publisher then starts one asynchronous invocation per Scan segment.
 */
export const republishCommandFor = (functionName: string): string =>
  `aws lambda invoke --function-name ${functionName} --cli-binary-format raw-in-base64-out --payload '{"republish":{"from":"<from>","to":"<to>"}}' /dev/stdout`;

/** Properties of an `EventPublisher`. */
export interface EventPublisherProps {
  /** The aggregate's name. */
  readonly aggregateName: string;
  /** The `source` of the events on the bus: `<namespace>.<aggregateName>`. */
  readonly eventSource: string;
  /** The event store whose stream is published. */
  readonly eventStore: dynamodb.ITableV2;
  /** The bus the events are put on. */
  readonly eventBus: events.IEventBus;
  /** The customer managed key of the event store and the DLQ. @default - AWS owned / SQS managed keys */
  readonly encryptionKey?: kms.IKey;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /** What happens to the log group when it is removed from the stack. */
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * The outbox: a small Lambda on the event store's stream that puts each stored event on the
 * bus, in stream order per aggregate. An event that is stored reaches the bus even if the
 * command handler dies right after its write: there is no dual write.
 *
 * A Lambda rather than an EventBridge Pipe: a Pipe's input transformer cannot unmarshall a
 * DynamoDB map (`{ "M": { ... } }`) into plain JSON, so the events' `detail` would carry
 * DynamoDB's attribute-value encoding.
 */
export class EventPublisher extends Construct {
  /** The function. */
  public readonly function: lambda.IFunction;
  /** Where a batch goes once its retries are spent: the stream positions to redrive. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The command that republishes a time window's stored events (see `republishCommandFor`). */
  public readonly republishCommand: string;

  constructor(scope: Construct, id: string, props: EventPublisherProps) {
    super(scope, id);
    const { role, function: fn } = createOwnedFunction(this, {
      functionRole: FUNCTION_ROLES.publisher,
      description: `Publishes the stored events of the ${props.aggregateName} aggregate to EventBridge (cdk-cqrs)`,
      code: publisherCode(),
      environment: {
        [ENV.eventBusName]: props.eventBus.eventBusName,
        [ENV.eventSource]: props.eventSource,
        [ENV.aggregateName]: props.aggregateName,
        // Read only by a republish request.
        [ENV.eventStoreTable]: props.eventStore.tableName,
      },
      memorySize: PUBLISHER_STREAM.memorySize,
      timeout: PUBLISHER_STREAM.timeout,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...(props.encryptionKey
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      enforceSSL: true,
      retentionPeriod: PUBLISHER_STREAM.deadLetterRetention,
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue: the on-failure destination of the stream event source mapping.',
    });
    fn.addEventSource(new DynamoEventSource(props.eventStore, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: PUBLISHER_STREAM.batchSize,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: PUBLISHER_STREAM.retryAttempts,
      // One batch at a time per shard: the events of an aggregate reach the bus in version order.
      parallelizationFactor: 1,
      onFailure: new SqsDlq(deadLetterQueue),
      // Only new events: snapshots and idempotency records never reach the bus.
      filters: [lambda.FilterCriteria.filter({
        eventName: lambda.FilterRule.isEqual('INSERT'),
        dynamodb: { NewImage: { [EVENT_STORE.kindAttribute]: { S: lambda.FilterRule.isEqual(EVENT_STORE.kinds.event) } } },
      })],
    }));
    // Not eventBus.grantPutEventsTo: that allows any source, and the bus may be shared with other aggregates.
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: EVENT_BUS_PUBLISH_ACTIONS,
      resources: [props.eventBus.eventBusArn],
      conditions: { StringEquals: { 'events:source': props.eventSource } },
    }));
    // A republish reads the event store (a Scan finds the aggregates, a Query reads each one's events)...
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: EVENT_STORE_REPUBLISH_ACTIONS, resources: [props.eventStore.tableArn] }));
    props.encryptionKey?.grant(role, ...TABLE_KEY_READ_ACTIONS);
    // ...and invokes the function again when short of time. A policy apart from the role's inline
    // one: the function depends on its role, so a statement there naming the function's ARN would
    // make a cycle.
    new iam.Policy(this, 'SelfInvokePolicy', {
      roles: [role],
      statements: [new iam.PolicyStatement({ actions: SELF_INVOKE_ACTIONS, resources: [fn.functionArn] })],
    });
    if (props.encryptionKey) {
      // Queue.grantSendMessages (called by SqsDlq) adds these for a KMS queue; scoped to the one key.
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
        // On the role: its inline policy holds the statement (see OwnedRole).
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: `Sending to the KMS-encrypted DLQ: Queue.grantSendMessages grants ${action} on the aggregate's key only.`,
        });
      }
    }
    this.function = fn;
    this.deadLetterQueue = deadLetterQueue;
    this.republishCommand = republishCommandFor(fn.functionName);
  }
}
