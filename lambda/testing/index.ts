export { specFor } from './aggregate-spec';
export type { AggregateSpecGiven, AggregateSpecWhen, ErrorClass, SpecCommand, SpecEvent } from './aggregate-spec';
