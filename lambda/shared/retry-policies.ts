/** How a command without expectedVersion backs off before it is re-decided after a version conflict. */
export const CONFLICT_RETRY_POLICY = {
  initialDelayMs: 5,
  factor: 1.5,
  maxDelayMs: 100,
} as const;

/** The delay before retry `attempt` (1-based): exponential, capped, with full jitter so that writers spread out. */
export function conflictRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(CONFLICT_RETRY_POLICY.maxDelayMs, CONFLICT_RETRY_POLICY.initialDelayMs * CONFLICT_RETRY_POLICY.factor ** (attempt - 1));
  return Math.round(ceiling * random());
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
