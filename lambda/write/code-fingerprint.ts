import { contentHash } from '../shared/content-hash';
import type { AnyAggregate } from './define-aggregate';

/**
 * What makes two sends of a commandId the same command: its type and its payload as the caller
 * sent it. A retry sends the same; anything else under the same commandId is a reused key.
 */
export const commandFingerprint = (type: string, payload: unknown): string => contentHash([type, payload]);

const stateCodeVersions = new WeakMap<AnyAggregate, string>();

/**
 * The version of the code that builds an aggregate's state: its `initialState` and `events`
 * functions, by their text, and its declared `stateVersion`. A snapshot records it and is used
 * only by the same code: after a change to how state is folded, the history is folded again.
 * (Text can miss a change in a constant the functions import: `stateVersion` is for that.)
 */
export function stateCodeVersion(aggregate: AnyAggregate): string {
  let version = stateCodeVersions.get(aggregate);
  if (version === undefined) {
    const evolve = Object.keys(aggregate.events).sort().map((type) => [type, String(aggregate.events[type])]);
    version = contentHash([aggregate.stateVersion ?? null, String(aggregate.initialState), evolve]);
    stateCodeVersions.set(aggregate, version);
  }
  return version;
}
