/**
 * What `CqrsAggregate.connect` gives a function. Each part grants only what its client uses
 * and sets the environment variable that client reads, so `new CommandClient({ aggregateName })`,
 * `new QueryClient({ aggregateName })` and `new Repository(view, { aggregateName, projectionName })`
 * need no names passed by hand.
 */
export interface ConnectOptions {
  /**
   * Let the function send commands with `CommandClient`: `lambda:InvokeFunction` on the command
   * handler, and `CQRS_<aggregateName>_COMMAND_FUNCTION`.
   *
   * @default true
   */
  readonly sendCommands?: boolean;

  /**
   * Let the function read the read model with `Repository`: what `grantReadModel` allows, and
   * `CQRS_<aggregateName>_READ_MODEL_TABLE`. With `readYourWrites` on the aggregate, what
   * `grantReadYourWrites` allows, and also `CQRS_<aggregateName>_SESSION_TABLE` and
   * `CQRS_<aggregateName>_EVENT_STORE_TABLE`, so `get(id, { sessionId })` sees the session's writes.
   * `true` on an aggregate without projections fails synth.
   *
   * @default - true when the aggregate has projections
   */
  readonly readModel?: boolean;

  /**
   * Let the function run queries with `QueryClient`: `lambda:InvokeFunction` on the query
   * function, and `CQRS_<aggregateName>_QUERY_FUNCTION`. `true` on an aggregate without
   * `queries` fails synth.
   *
   * @default - true when the aggregate has queries
   */
  readonly queries?: boolean;
}
