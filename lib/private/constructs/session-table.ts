import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EVENT_STORE_READER_ACTIONS, SESSION_READ_ACTIONS } from '../iam-actions';
import { secureTableDefaults } from '../table-defaults';
import { EVENT_STORE, SESSION_TABLE } from '../runtime-contract';

/** Properties of a `SessionTable`. */
export interface SessionTableProps {
  /** The customer managed key that encrypts the table. @default - an AWS owned key */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The session table of read-your-writes: the command handler writes, in the transaction that
 * stores a command's events, an entry under the caller's `sessionId` that expires after `ttl`.
 *
 * Its entries live minutes and can be lost without harm (reads then wait for the projections),
 * so it is destroyed with the stack; point-in-time recovery stays on as everywhere else.
 */
export class SessionTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: SessionTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: SESSION_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SESSION_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: SESSION_TABLE.ttlAttribute,
      ...secureTableDefaults(props.encryptionKey),
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}

/**
 * What a reader of its own writes needs beside the read model: `Query` on the session table and
 * on the event store. The tables share the aggregate's key, which the read-model grant covers.
 */
export function grantSessionRead(grantee: iam.IGrantable, sessionTable: dynamodb.ITableV2, eventStore: dynamodb.ITableV2): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions: SESSION_READ_ACTIONS, resourceArns: [sessionTable.tableArn] })
    .combine(iam.Grant.addToPrincipal({
      grantee, actions: EVENT_STORE_READER_ACTIONS, resourceArns: [eventStore.tableArn],
      // Events only: the runtime's read names exactly these attributes, so a snapshot's state and an
      // idempotency record's fields cannot be read with this grant.
      conditions: {
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...EVENT_STORE.eventAttributes] },
        'StringEqualsIfExists': { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
      },
    }));
}
