/** How a retry loop backs off: exponential from `initialDelayMs` by `factor`, capped at `maxDelayMs`, with full jitter. */
export interface Backoff {
  readonly initialDelayMs: number;
  readonly factor: number;
  readonly maxDelayMs: number;
}

/**
 * How a command backs off before it is re-decided (or, with expectedVersion, its version checked again) after a version
 * conflict. How many times is the aggregate's `maxConflictRetries`.
 */
export const CONFLICT_RETRY_POLICY: Backoff = {
  initialDelayMs: 5,
  factor: 1.5,
  maxDelayMs: 100,
};

/** How the publisher retries the entries PutEvents failed (throttled, or an internal failure) before it reports the batch failed. */
export const PUBLISH_RETRY_POLICY: Backoff & { readonly maxRetries: number } = {
  maxRetries: 3,
  initialDelayMs: 50,
  factor: 2,
  maxDelayMs: 1000,
};

/**
 * How a read retries the keys a BatchGetItem left unprocessed (the table is throttling), as AWS
 * advises, before it gives up with an error rather than loop for as long as the throttling lasts.
 */
export const UNPROCESSED_KEYS_RETRY_POLICY: Backoff & { readonly maxRetries: number } = {
  maxRetries: 8,
  initialDelayMs: 25,
  factor: 2,
  maxDelayMs: 1000,
};

/** The delay before retry `attempt` (1-based): exponential, capped, with full jitter so that retrying callers spread out. */
export function backoffDelayMs(policy: Backoff, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (attempt - 1));
  return Math.round(ceiling * random());
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
