// What every part of `npm run bench` prints its figures with: medians, percentiles, and a figure
// beside its goal. The machine is shared, so a time is only shown as a ratio against a baseline
// measured in the same run.

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The `p` percentile (0..1) of values sorted in ascending order, by the nearest rank below. */
export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** How a figure compares with its goal: `at most` for costs, `at least` for speed-ups. */
export interface Goal {
  readonly atMost?: number;
  readonly atLeast?: number;
}

/** `(goal <= 1.25: met)`, or `missed`. */
export function judged(value: number, goal: Goal): string {
  if (goal.atMost !== undefined) return `(goal <= ${goal.atMost}: ${value <= goal.atMost ? 'met' : 'missed'})`;
  if (goal.atLeast !== undefined) return `(goal >= ${goal.atLeast}: ${value >= goal.atLeast ? 'met' : 'missed'})`;
  return '';
}
