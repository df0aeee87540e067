export { CqrsAggregate } from './cqrs-aggregate';
export { CqrsAggregateProps } from './cqrs-aggregate-props';
export { IProjection, ProjectionProps } from './projection-props';
export { ReadModelIndexProps } from './read-model-index-props';
export { ReadYourWritesProps } from './read-your-writes-props';
export { QueriesProps } from './queries-props';
export { ConnectOptions } from './connect-options';
