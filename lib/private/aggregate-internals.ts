import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import type { AggregateDefinitions } from './definition-checks';

/**
 * What a `CqrsAggregate` knows that its public API does not show, for the constructs of this
 * package that build on it (the HTTP API): its modules' definitions, its settings, its tables.
 * Kept here rather than in public properties, which jsii would publish (and users would start
 * to depend on).
 */
export interface AggregateInternals {
  readonly aggregateName: string;
  readonly definitions: AggregateDefinitions;
  readonly eventStore: dynamodb.ITableV2;
  readonly readModel?: dynamodb.ITableV2;
  readonly sessionTable?: dynamodb.ITableV2;
  readonly commandHandler: lambda.IFunction;
  readonly queryHandler?: lambda.IFunction;
  readonly encryptionKey?: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** The query function's settings, which a function that reads the read model for the web takes too. */
  readonly readerMemorySize: number;
  readonly readerTimeout: Duration;
}

const registry = new WeakMap<IConstruct, AggregateInternals>();

/** Records what `aggregate` knows; called once, by its constructor. */
export function registerAggregateInternals(aggregate: IConstruct, internals: AggregateInternals): void {
  registry.set(aggregate, internals);
}

/** What `aggregate` knows; throws if it is not a `CqrsAggregate` of this copy of cdk-cqrs. */
export function aggregateInternalsOf(aggregate: IConstruct, where: string): AggregateInternals {
  const internals = registry.get(aggregate);
  if (!internals) {
    throw new Error(`${where}: ${aggregate.node.path} is not a CqrsAggregate of this copy of cdk-cqrs (two copies of the package in one app cannot share aggregates: dedupe them with npm ls cdk-cqrs).`);
  }
  return internals;
}
