import * as fs from 'node:fs';
import { Duration, Token } from 'aws-cdk-lib';
import { AGGREGATE_PART_IDS } from './construct-ids';
import { checkDurationInRange, checkIntegerInRange, checkPattern } from './validation';
import { MAX_BATCH_WITHOUT_WINDOW, PROJECTION_DEFAULTS } from './constructs/projection-delivery';
import type { ProjectionDeliveryProps, ProjectionProps } from '../projection-props';
import type { ReadModelIndexProps } from '../read-model-index-props';

/** Checks of `projections` and `readModelIndexes`, in the style of `validation.ts`. */

/** Construct ids of the aggregate's own parts: a projection's name must not take one. */
export const RESERVED_PROJECTION_NAMES: readonly string[] = Object.values(AGGREGATE_PART_IDS);

/** Checks one projection's props; `where` is for example `CqrsAggregate 'Customers'`. */
export function validateProjectionProps(where: string, props: ProjectionProps): void {
  checkPattern(where, 'projectionName', props.projectionName, /^[A-Za-z][A-Za-z0-9]{0,63}$/,
    'letters and digits, starting with a letter, at most 64 characters');
  const at = `${where}: projection '${props.projectionName}'`;
  if (RESERVED_PROJECTION_NAMES.includes(props.projectionName)) {
    throw new Error(`${at}: projectionName must not be one of ${RESERVED_PROJECTION_NAMES.join(', ')}, which name the aggregate's own parts.`);
  }
  if (!Token.isUnresolved(props.entry) && !fs.existsSync(props.entry)) {
    throw new Error(`${at}: entry not found at ${props.entry}. Point entry at a module whose default export is defineProjection(...).`);
  }
  validateDeliveryProps(at, props);
}

/** Checks the delivery and projector props of a projection (`at` names it); shared with SQL projections. */
export function validateDeliveryProps(at: string, props: ProjectionDeliveryProps): void {
  checkIntegerInRange(at, 'batchSize', props.batchSize, 1, 10000);
  checkDurationInRange(at, 'maxBatchingWindow', props.maxBatchingWindow, Duration.seconds(0), Duration.minutes(5));
  checkIntegerInRange(at, 'maxConcurrency', props.maxConcurrency, 2, 1000);
  checkIntegerInRange(at, 'maxReceiveCount', props.maxReceiveCount, 1, 1000);
  checkDurationInRange(at, 'timeout', props.timeout, Duration.seconds(1), Duration.minutes(15));
  checkIntegerInRange(at, 'memorySize', props.memorySize, 128, 10240);
  const batchSize = props.batchSize ?? PROJECTION_DEFAULTS.batchSize;
  const window = props.maxBatchingWindow;
  if (!Token.isUnresolved(batchSize) && batchSize > MAX_BATCH_WITHOUT_WINDOW && window && !window.isUnresolved() && window.toMilliseconds() < 1000) {
    throw new Error(`${at}: a batchSize above ${MAX_BATCH_WITHOUT_WINDOW} needs a maxBatchingWindow of at least 1 second (given batchSize ${batchSize}, maxBatchingWindow ${window.toHumanString()}).`);
  }
}

/** Checks each projection, and that no two share a name. */
export function validateProjections(where: string, projections: ProjectionProps[]): void {
  const names = new Set<string>();
  for (const projection of projections) {
    validateProjectionProps(where, projection);
    if (names.has(projection.projectionName)) {
      throw new Error(`${where}: two projections are named '${projection.projectionName}': each projectionName must be unique within the aggregate.`);
    }
    names.add(projection.projectionName);
  }
}

/** DynamoDB's quota of global secondary indexes per table. */
const MAX_READ_MODEL_INDEXES = 20;

/** Checks the read model's indexes: at most 20, each named as DynamoDB and the key attributes allow, no two alike. */
export function validateReadModelIndexes(where: string, indexes: ReadModelIndexProps[]): void {
  if (indexes.length > MAX_READ_MODEL_INDEXES) {
    throw new Error(`${where}: readModelIndexes must hold at most ${MAX_READ_MODEL_INDEXES} indexes, as DynamoDB allows (given ${indexes.length}).`);
  }
  const names = new Set<string>();
  for (const { indexName } of indexes) {
    checkPattern(where, 'readModelIndexes[].indexName', indexName, /^[A-Za-z][A-Za-z0-9_]{2,63}$/,
      'letters, digits and \'_\', starting with a letter, 3 to 64 characters');
    if (names.has(indexName)) {
      throw new Error(`${where}: two readModelIndexes are named '${indexName}': each indexName must be unique.`);
    }
    names.add(indexName);
  }
}
