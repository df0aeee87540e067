import { contentHash } from '../shared/content-hash';
import type { AnyAggregate } from './define-aggregate';
import type { AnyUpcasters } from './upcast';

/**
 * What makes two sends of a commandId the same command: its type and its payload as the caller
 * sent it. A retry sends the same; anything else under the same commandId is a reused key.
 */
export const commandFingerprint = (type: string, payload: unknown): string => contentHash([type, payload]);

const stateCodeVersions = new WeakMap<AnyAggregate, string>();

/**
 * The upcasters by their text, sorted by type: they decide what a stored event means, so a state
 * or a view folded through them is the code's as much as the evolve functions are.
 */
export function upcastersText(upcasters: AnyUpcasters | undefined): [string, string | string[]][] {
  return Object.keys(upcasters ?? {}).sort().map((type) => {
    const entry = upcasters![type];
    return [type, Array.isArray(entry) ? entry.map(String) : String(entry)];
  });
}

/**
 * The version of the code that builds an aggregate's state: its `initialState`, `events` and
 * `upcasters` functions, by their text, and its declared `stateVersion`. A snapshot records it and is used
 * only by the same code: after a change to how state is folded, the history is folded again.
 * (Text can miss a change in a constant the functions import: `stateVersion` is for that.)
 */
export function stateCodeVersion(aggregate: AnyAggregate): string {
  let version = stateCodeVersions.get(aggregate);
  if (version === undefined) {
    const evolve = Object.keys(aggregate.events).sort().map((type) => [type, String(aggregate.events[type])]);
    const upcasters = upcastersText(aggregate.upcasters);
    // Without upcasters, the hash is the one from before they existed: snapshots stay valid.
    version = contentHash(upcasters.length === 0
      ? [aggregate.stateVersion ?? null, String(aggregate.initialState), evolve]
      : [aggregate.stateVersion ?? null, String(aggregate.initialState), evolve, upcasters]);
    stateCodeVersions.set(aggregate, version);
  }
  return version;
}
