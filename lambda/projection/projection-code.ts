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
  const handlers = byName(projection.events)
    .filter((entry): entry is [string, NonNullable<typeof entry[1]>] => typeof entry[1] === 'function')
    .map(([type, handler]) => [type, handler.toString()]);
  const indexes = byName(projection.indexes ?? {}).map(([index, mapper]) => [index, mapper.name, mapper.toString()]);
  const upcasters = upcastersText(projection.aggregate?.upcasters);
  // Without upcasters, the hash is the one from before they existed: documents stay valid.
  const code = contentHash(upcasters.length === 0 ? { version: projection.version ?? null, handlers, indexes } : { version: projection.version ?? null, handlers, indexes, upcasters });
  computed.set(projection, code);
  return code;
}

/**
 * The own entries of a record sorted by name (UTF-16 code units, as `<` compares strings): the
 * order a definition lists them in changes nothing. Names are unique, so no comparator is needed.
 */
const byName = <T>(record: Readonly<Record<string, T>>): [string, T][] => Object.keys(record).sort().map((name) => [name, record[name]]);
