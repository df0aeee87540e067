export { specFor } from './aggregate-spec';
export type { AggregateSpecGiven, AggregateSpecWhen, ErrorClass, SpecCommand, SpecEvent, StoredSpecEvent } from './aggregate-spec';
export { projectionSpecFor } from './projection-spec';
export { SpecFailure } from './spec-assertions';
export type { ProjectionSpecEvent, ProjectionSpecGiven, ProjectionSpecOptions } from './projection-spec';
export { LocalApp } from './local-app';
export type { LocalAppOptions } from './local-app';
export type { TokenRequest } from '../local/local-issuer';
export type { SynthesizableApp } from './quiet-synth';
