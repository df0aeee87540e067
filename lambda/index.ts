export { defineAggregate } from './define-aggregate';
export type {
  Aggregate, AggregateSpec, CommandOf, EventOf, StateOf, NewEvent, Decision, EventName,
} from './aggregate-types';
export {
  ValidationError, DomainError, ConcurrencyError, UnknownCommand,
  isValidationError, isDomainError, isConcurrencyError, isUnknownCommand,
} from './errors';
export type { ValidationIssue, ConcurrencyErrorFields } from './errors';
export type { CommandEnvelope, CommandMetadata, EventEnvelope, EventMetadata, CommandResult } from './envelope';
export type { ErrorAnswer } from './error-answer';
export { CommandClient } from './command-client';
export type { CommandClientProps, LambdaInvoker } from './command-client';
export type { StandardSchemaV1 } from './standard-schema';
export { defineProjection } from './define-projection';
export type {
  Projection, ProjectionSpec, ProjectionHandlers, IndexKey, IndexMappings, ViewOf, EventOfType,
} from './define-projection';
export { Repository } from './repository';
export type { DocumentClientLike, RepositoryProps, QueryOptions, QueryResult } from './repository';
export type { SessionReadSettings } from './session-entry';
export { defineQueries } from './define-queries';
export type { Queries, QueryContext, QueryHandler, QueryOf, QueryResultOf } from './define-queries';
export { defineCustomProjection } from './define-custom-projection';
export type { CustomProjection, CustomWriteContext, CustomWriteHandlers } from './define-custom-projection';
