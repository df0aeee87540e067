import { Duration, Token } from 'aws-cdk-lib';

/**
 * Prop checks shared by the constructs. Each throws a plain `Error` whose message starts with
 * `where` (for example `CqrsAggregate 'Customers'`), names the prop, echoes the value and says
 * what is accepted. Tokens are skipped: their value is known only at deploy time.
 */

/** Throws unless `value` is an integer in `[min, max]`. */
export function checkIntegerInRange(where: string, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${where}: ${prop} must be an integer between ${min} and ${max} (given ${value}).`);
  }
}

/** Throws unless `value` lies in `[min, max]`. */
export function checkDurationInRange(where: string, prop: string, value: Duration | undefined, min: Duration, max: Duration): void {
  if (value === undefined || value.isUnresolved()) return;
  const seconds = value.toSeconds({ integral: false });
  if (seconds < min.toSeconds() || seconds > max.toSeconds()) {
    throw new Error(`${where}: ${prop} must be between ${min.toHumanString()} and ${max.toHumanString()} (given ${value.toHumanString()}).`);
  }
}

/** Throws unless `value` matches `pattern`; `rule` says in words what the pattern accepts. */
export function checkPattern(where: string, prop: string, value: string | undefined, pattern: RegExp, rule: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!pattern.test(value)) {
    throw new Error(`${where}: ${prop} must be ${rule} (given '${value}').`);
  }
}
