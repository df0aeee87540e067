export { defineAggregate } from './write/define-aggregate';
export type {
  Aggregate, AggregateSpec, CommandOf, EventOf, StateOf, NewEvent, Decision, EventName,
  UpcastSteps, UpcastersOf, UpcastersShape, EventReplacement, DecidedEventOf, RetiredEventHandlers, RetiredTypesOf,
} from './write/aggregate-types';
export { EventFromNewerCode } from './write/upcast';
export {
  ValidationError, DomainError, ConcurrencyError, UnknownCommand, UnknownQuery, IdempotencyKeyReused,
  isValidationError, isDomainError, isConcurrencyError, isUnknownCommand, isUnknownQuery, isIdempotencyKeyReused,
} from './shared/errors';
export type { ValidationIssue, ConcurrencyErrorFields } from './shared/errors';
export type { Caller, CommandContext, CommandEnvelope, CommandMetadata, EventEnvelope, EventMetadata, CommandResult } from './shared/envelope';
export type { ErrorAnswer } from './shared/error-answer';
export { CommandClient } from './write/command-client';
export type { CommandClientProps } from './write/command-client';
export type { AggregateFunctionProps, LambdaInvoker } from './shared/function-invoker';
export type { StandardSchemaV1 } from './shared/standard-schema';
export { defineProjection } from './projection/define-projection';
export type {
  Projection, ProjectionSpec, ProjectionHandlers, IndexKey, IndexMappings, ViewOf, EventOfType,
} from './projection/define-projection';
export { Repository } from './query/repository';
export type { RepositoryProps, RepositoryCommonProps, QueryOptions, QueryResult, ViewDocument, GetOptions } from './query/repository';
export type { DocumentClientLike } from './store/document-client-like';
export type { SessionReadSettings } from './store/session-entry';
export { defineQueries } from './query/define-queries';
export type { Queries, QueryContext, QueryHandler, QueryOf, QueryResultOf } from './query/define-queries';
export { QueryClient } from './query/query-client';
export type { QueryClientProps, QueryNameOf, QueryParamsArgs, QueryAnswerOf } from './query/query-client';
export { defineCustomProjection } from './projection/define-custom-projection';
export type { CustomProjection, CustomWriteContext, CustomWriteHandlers } from './projection/define-custom-projection';
export { defineSqlProjection } from './sql/define-sql-projection';
export type {
  SqlProjection, SqlProjectionSpec, SqlProjectionContext, SqlProjectionHandlers, SqlEventHandlers, AggregateDefinitionLike,
} from './sql/define-sql-projection';
export { defineSqlQueries } from './sql/define-sql-queries';
export type { SqlQueries, SqlQueryContext, SqlQueryHandler } from './sql/define-sql-queries';
