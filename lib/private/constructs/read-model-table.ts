import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { ReadModelIndexProps } from '../../read-model-index-props';
import { secureTableDefaults } from '../table-defaults';
import { READ_MODEL_DOCUMENT_ACTIONS, READ_MODEL_READ_ACTIONS, TABLE_KEY_READ_ACTIONS } from '../iam-actions';
import { READ_MODEL, readModelIndexKeys } from '../runtime-contract';

/** Properties of a `ReadModelTable`. */
export interface ReadModelTableProps {
  /** The global secondary indexes. @default - none */
  readonly indexes?: ReadModelIndexProps[];
  /** The customer managed key that encrypts the table. @default - an AWS owned key */
  readonly encryptionKey?: kms.IKey;
  /** What happens to the table when it is removed from the stack or replaced. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The read model of an aggregate's projections: one DynamoDB table, one document per
 * aggregate and projection at (`pk` = aggregate id, `sk` = projection name).
 *
 * Its removal policy is the aggregate's (`RETAIN` by default): a read model can be rebuilt by
 * replaying the event store, but until then every query would come back empty, so a deleted
 * stack must not take it along unless the user says so (as for a development stack).
 */
export class ReadModelTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string, props: ReadModelTableProps) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: READ_MODEL.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: READ_MODEL.sortKey, type: dynamodb.AttributeType.STRING },
      ...secureTableDefaults(props.encryptionKey),
      globalSecondaryIndexes: (props.indexes ?? []).map(({ indexName }) => {
        const keys = readModelIndexKeys(indexName);
        return {
          indexName,
          partitionKey: { name: keys.partitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: keys.sortKey, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.ALL,
        };
      }),
      removalPolicy: props.removalPolicy,
    });
  }
}

/**
 * Lets `grantee` get, batch-get and query the read model `table` and its indexes, and decrypt
 * with `encryptionKey` if there is one. Each index is named, rather than `<table>/index/*`:
 * the grant reaches no index added by other means.
 */
export function grantReadModelRead(grantee: iam.IGrantable, table: dynamodb.ITableV2, indexNames: string[], encryptionKey?: kms.IKey): iam.Grant {
  const grant = iam.Grant.addToPrincipal({
    grantee,
    actions: READ_MODEL_READ_ACTIONS,
    resourceArns: [table.tableArn, ...indexNames.map((indexName) => `${table.tableArn}/index/${indexName}`)],
  });
  return encryptionKey ? grant.combine(encryptionKey.grant(grantee, ...TABLE_KEY_READ_ACTIONS)) : grant;
}

/** Lets `grantee` read one document at a time by its key (`GetItem` on the table, no index), and decrypt with `encryptionKey`. */
export function grantDocumentRead(grantee: iam.IGrantable, table: dynamodb.ITableV2, encryptionKey?: kms.IKey): iam.Grant {
  const grant = iam.Grant.addToPrincipal({ grantee, actions: READ_MODEL_DOCUMENT_ACTIONS, resourceArns: [table.tableArn] });
  return encryptionKey ? grant.combine(encryptionKey.grant(grantee, ...TABLE_KEY_READ_ACTIONS)) : grant;
}
