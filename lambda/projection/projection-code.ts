import { contentHash } from '../shared/content-hash';
import type { AnyProjection } from './define-projection';
import { upcastersText } from '../write/code-fingerprint';

/** Computed once per definition object: a projector (or query function) handles one for its lifetime. */
const computed = new WeakMap<AnyProjection, string>();

/**
 * The code version of a projection: a short sha256 over what decides its documents, namely the
 * event types it handles with the source text of each handler, the name and source text of each
 * index mapper, its declared `version`, if any, and its aggregate's upcasters.
 *
 * Every document records the code version that built it, and projection code never extends a
 * document another code version built (it folds the aggregate again from its first event), so
 * two code versions running at once during a deploy each write correct folds of their own code.
 *
 * What the text cannot show: a change in a helper a handler calls, or in data it reads. Bump the
 * projection's `version` for those. The text is that of the bundle: a bundle that renames a
 * handler's variables (minified, another bundle, another esbuild) gives another code version,
 * which costs a fold from the first event, never a wrong view.
 */
export function projectionCode(projection: AnyProjection): string {
  const known = computed.get(projection);
  if (known !== undefined) return known;
  const handlers = Object.entries(projection.events)
    .filter((entry): entry is [string, NonNullable<typeof entry[1]>] => typeof entry[1] === 'function')
    .map(([type, handler]) => [type, handler.toString()])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const indexes = Object.entries(projection.indexes ?? {})
    .map(([index, mapper]) => [index, mapper.name, mapper.toString()])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const upcasters = upcastersText(projection.aggregate?.upcasters);
  // Without upcasters, the hash is the one from before they existed: documents stay valid.
  const code = contentHash(upcasters.length === 0 ? { version: projection.version ?? null, handlers, indexes } : { version: projection.version ?? null, handlers, indexes, upcasters });
  computed.set(projection, code);
  return code;
}
