import * as fs from 'node:fs';
import { Duration, Token } from 'aws-cdk-lib';
import type { CqrsAggregateProps } from '../cqrs-aggregate-props';
import { validateProjections, validateReadModelIndexes } from './projection-validation';
import { checkDurationInRange, checkIntegerInRange, checkPattern } from './validation';

/** Checks a `CqrsAggregate`'s props (Tokens are skipped); each error names the prop, the value given and the fix. */
export function validateAggregateProps(where: string, props: CqrsAggregateProps): void {
  checkPattern(where, 'aggregateName', props.aggregateName, /^[A-Za-z][A-Za-z0-9]{0,63}$/,
    'letters and digits, starting with a letter, at most 64 characters');
  checkPattern(where, 'namespace', props.namespace, /^[A-Za-z][A-Za-z0-9._-]{0,127}$/,
    'letters, digits, \'.\', \'-\' and \'_\', starting with a letter, at most 128 characters');
  if (props.namespace !== undefined && !Token.isUnresolved(props.namespace) && /^aws\./i.test(props.namespace)) {
    throw new Error(`${where}: namespace must not start with 'aws.', which AWS reserves for its own events (given '${props.namespace}').`);
  }
  if (!Token.isUnresolved(props.entry) && !fs.existsSync(props.entry)) {
    throw new Error(`${where}: entry not found at ${props.entry}. Point entry at a module whose default export is defineAggregate(...).`);
  }
  checkIntegerInRange(where, 'snapshotEvery', props.snapshotEvery, 1, 1000);
  checkIntegerInRange(where, 'maxConflictRetries', props.maxConflictRetries, 0, 10);
  checkIntegerInRange(where, 'commandHandlerMemorySize', props.commandHandlerMemorySize, 128, 10240);
  checkDurationInRange(where, 'idempotencyTtl', props.idempotencyTtl, Duration.minutes(1), Duration.days(365));
  checkDurationInRange(where, 'commandHandlerTimeout', props.commandHandlerTimeout, Duration.seconds(1), Duration.minutes(15));
  checkDurationInRange(where, 'readYourWrites.ttl', props.readYourWrites?.ttl, Duration.minutes(1), Duration.days(1));
  if (props.queries) {
    if ((props.projections ?? []).length === 0) {
      throw new Error(`${where}: queries needs a read model to read, and there is none without projections. Add a projection to projections, or remove queries.`);
    }
    if (!Token.isUnresolved(props.queries.entry) && !fs.existsSync(props.queries.entry)) {
      throw new Error(`${where}: queries.entry not found at ${props.queries.entry}. Point it at a module whose default export is defineQueries(...).`);
    }
    checkIntegerInRange(where, 'queries.memorySize', props.queries.memorySize, 128, 10240);
    checkDurationInRange(where, 'queries.timeout', props.queries.timeout, Duration.seconds(1), Duration.minutes(15));
  }
  validateProjections(where, props.projections ?? []);
  validateReadModelIndexes(where, props.readModelIndexes ?? []);
}
