import { CqrsError, isValidationError } from '../shared/errors';

/** The path names a projection the reader does not expose (looked up as an own property: `constructor` is none). */
export class UnknownProjection extends CqrsError {
  readonly projectionName: string;
  readonly knownProjections: readonly string[];
  constructor(fields: { projectionName: string; knownProjections: readonly string[] }) {
    super('UnknownProjection', `No projection '${fields.projectionName}' is exposed here. Known projections: ${fields.knownProjections.join(', ') || 'none'}.`);
    this.projectionName = fields.projectionName;
    this.knownProjections = fields.knownProjections;
  }
}

/** The projection has no view of the aggregate: none yet, or a deleted one (a tombstone). */
export class NotFound extends CqrsError {
  readonly projectionName: string;
  readonly aggregateId: string;
  constructor(fields: { projectionName: string; aggregateId: string }) {
    super('NotFound', `${fields.projectionName} has no view of ${fields.aggregateId}.`);
    this.projectionName = fields.projectionName;
    this.aggregateId = fields.aggregateId;
  }
}

/** True for what a read of a projection answers as a problem of the request (400, 404), not as a fault. */
export const isReadRejection = (error: unknown): boolean =>
  isValidationError(error) || error instanceof UnknownProjection || error instanceof NotFound;
