import { Annotations, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ProjectionPipeline } from './projection-pipeline';
import type { IProjection, ProjectionProps } from '../../projection-props';
import type { ReadModelIndexProps } from '../../read-model-index-props';
import type { ReadYourWritesProps } from '../../read-your-writes-props';
import { ReadModelTable } from './read-model-table';
import { AGGREGATE_PART_IDS } from '../construct-ids';

/** What the aggregate knows when it provisions its read side. */
export interface ReadSideOptions {
  /** For error messages: `CqrsAggregate '<id>'`. */
  readonly where: string;
  readonly aggregateName: string;
  readonly eventSource: string;
  readonly eventBus: events.IEventBus;
  readonly eventStore: dynamodb.ITableV2;
  /** @default - none */
  readonly projections?: ProjectionProps[];
  /** @default - none */
  readonly readModelIndexes?: ReadModelIndexProps[];
  /** @default - no session table */
  readonly readYourWrites?: ReadYourWritesProps;
  /** @default - AWS owned / SQS managed keys */
  readonly encryptionKey?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** The read side: nothing without projections, else the read model and one `ProjectionPipeline` each. */
export interface ReadSide {
  readonly readModel?: dynamodb.ITableV2;
  readonly readModelIndexNames: string[];
  readonly projections: IProjection[];
}

/**
 * Adds `ReadModel` and one scope per projection (named by its `projectionName`) to the
 * aggregate `scope`; adds nothing when there are no projections.
 */
export function provisionReadSide(scope: Construct, options: ReadSideOptions): ReadSide {
  const projections = options.projections ?? [];
  const indexes = options.readModelIndexes ?? [];
  if (projections.length === 0) {
    if (indexes.length > 0) {
      Annotations.of(scope).addWarningV2('cdk-cqrs:readModelIndexesWithoutProjections',
        'readModelIndexes is ignored: without projections there is no read model.');
    }
    if (options.readYourWrites) {
      // A warning, not an error: the session table deploys and breaks nothing, and may come
      // ahead of the projections; but until then it is paid for and read by nobody.
      Annotations.of(scope).addWarningV2('cdk-cqrs:readYourWritesWithoutProjections',
        'readYourWrites creates a session table that nothing reads: without projections there is no read model to merge a session\'s writes into, yet each command sent with a sessionId writes its events there too. Add a projection to projections, or remove readYourWrites.');
    }
    return { readModelIndexNames: [], projections: [] };
  }
  const readModel = new ReadModelTable(scope, AGGREGATE_PART_IDS.readModel, { indexes, encryptionKey: options.encryptionKey, removalPolicy: options.removalPolicy }).table;
  const readModelIndexNames = indexes.map((index) => index.indexName);
  return {
    readModel,
    readModelIndexNames,
    projections: projections.map((projection) => new ProjectionPipeline(scope, {
      ...projection,
      where: options.where,
      aggregateName: options.aggregateName,
      eventSource: options.eventSource,
      eventBus: options.eventBus,
      eventStore: options.eventStore,
      readModel,
      readModelIndexNames,
      encryptionKey: options.encryptionKey,
      logRetention: options.logRetention,
      logRemovalPolicy: options.removalPolicy,
    })),
  };
}
