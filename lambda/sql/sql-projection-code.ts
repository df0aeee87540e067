import { contentHash } from '../shared/content-hash';
import { upcastersText } from '../write/code-fingerprint';
import type { AnySqlProjection } from './define-sql-projection';

const computed = new WeakMap<AnySqlProjection, string>();

const byKey = <T>(entries: [string, T][]): [string, T][] => entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * The code version of a SQL projection, as `projectionCode` is a document projection's: a short
 * sha256 of each aggregate's handled types with their handlers' source text, each aggregate's
 * upcasters and the declared `version`. A generation records the code that built it; a projector
 * whose code differs says so in its log, since only a rebuild can apply new code to old events.
 */
export function sqlProjectionCode(projection: AnySqlProjection): string {
  const known = computed.get(projection);
  if (known !== undefined) return known;
  const aggregates = byKey(Object.keys(projection.aggregates).map((aggregateName) => {
    const handlers = Object.entries(Object.hasOwn(projection.events, aggregateName) ? projection.events[aggregateName] ?? {} : {})
      .filter((entry): entry is [string, NonNullable<typeof entry[1]>] => typeof entry[1] === 'function')
      .map(([type, handler]): [string, string] => [type, handler.toString()]);
    return [aggregateName, { handlers: byKey(handlers), upcasters: upcastersText(projection.aggregates[aggregateName]?.upcasters) }];
  }));
  const code = contentHash({ version: projection.version ?? null, aggregates });
  computed.set(projection, code);
  return code;
}
