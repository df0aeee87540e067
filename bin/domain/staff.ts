import type { Caller } from 'cdk-cqrs/runtime';

/**
 * True when the caller is in the Cognito group `staff`. API Gateway hands a JWT's claims to the
 * function as strings, a list as `[staff admin]`, so the groups are read from that text,
 * split on spaces only: a Cognito group's name holds no space but may hold punctuation
 * (`staff,interns` is another group than `staff`).
 */
export function isStaff(caller: Caller): boolean {
  const groups = String(caller.claims['cognito:groups'] ?? '').replace(/^\[|\]$/g, '').split(/\s+/);
  return groups.includes('staff');
}
