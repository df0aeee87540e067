import type { Duration } from 'aws-cdk-lib';

/** Read-your-writes: what a caller's session sees before the projections catch up. */
export interface ReadYourWritesProps {
  /**
   * How long a session entry is kept: it only has to outlive the projections' lag.
   *
   * DynamoDB's TTL deletes an expired entry within a few days, so readers also skip entries
   * past their expiry.
   *
   * @default Duration.minutes(5)
   */
  readonly ttl?: Duration;
}
