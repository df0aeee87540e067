import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { secureTableDefaults } from '../table-defaults';
import { EVENT_STORE } from '../runtime-contract';

/** Properties of an `EventStoreTable`. */
export interface EventStoreTableProps {
  /**
   * What happens to the table when it is removed from the stack or replaced.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The customer managed key that encrypts the table.
   *
   * @default - an AWS owned key
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The append-only log of one aggregate type: a DynamoDB table with one partition per
 * aggregate and one item per version.
 *
 * A version slot is written once (the runtime's conditional writes), the stream carries each
 * new item to the outbox, point-in-time recovery is on, and TTL removes idempotency records.
 */
export class EventStoreTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: EventStoreTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: EVENT_STORE.partitionKey, type: dynamodb.AttributeType.STRING },
      // sk is a number: as strings, version "10" would sort before "9"
      sortKey: { name: EVENT_STORE.sortKey, type: dynamodb.AttributeType.NUMBER },
      dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: EVENT_STORE.ttlAttribute,
      ...secureTableDefaults(props.encryptionKey),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
