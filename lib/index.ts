export { CqrsAggregate } from './cqrs-aggregate';
export { CqrsAggregateProps } from './cqrs-aggregate-props';
export { IProjection, ProjectionProps } from './projection-props';
export { ReadModelIndexProps } from './read-model';
export { ReadYourWritesProps } from './session-table';
export { QueriesProps } from './query-handler';
