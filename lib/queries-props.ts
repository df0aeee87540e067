import type { Duration } from 'aws-cdk-lib';

/** The query function of an aggregate: your read-side queries, bundled with the runtime. */
export interface QueriesProps {
  /**
   * Path of the module whose default export is `defineQueries(...)`: the query handlers, each
   * reading the read model through a `Repository`.
   */
  readonly entry: string;

  /**
   * Memory of the query function, in MiB (128 to 10240).
   *
   * @default 256
   */
  readonly memorySize?: number;

  /**
   * Timeout of the query function (1 second to 15 minutes).
   *
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
}
