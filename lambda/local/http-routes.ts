/** A route that matched a request, with its path parameters, percent-decoded. */
export interface RouteMatch<R> {
  readonly route: R;
  readonly pathParameters: Readonly<Record<string, string>>;
}

type Segment = { readonly literal: string } | { readonly parameter: string } | { readonly greedy: string };

/** How specific a matched segment is: a literal before a `{param}`, a `{param}` before a `{proxy+}`. */
const RANK = { literal: 0, parameter: 1, greedy: 2 } as const;

const decoded = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    // A malformed escape (`%zz`) is passed on as it came, not refused.
    return value;
  }
};

function parseRouteKey(routeKey: string): { readonly method: string; readonly segments: readonly Segment[] } | undefined {
  const space = routeKey.indexOf(' ');
  if (space < 0) return undefined;
  const segments = routeKey.slice(space + 1).split('/').slice(1).map((part): Segment => {
    const variable = /^\{([^}]+?)(\+?)\}$/.exec(part);
    if (!variable) return { literal: part };
    return variable[2] ? { greedy: variable[1] } : { parameter: variable[1] };
  });
  return { method: routeKey.slice(0, space).toUpperCase(), segments };
}

/** The segments' ranks and the path parameters when `segments` matches `parts`; undefined otherwise. */
function matchSegments(segments: readonly Segment[], parts: readonly string[]): { ranks: number[]; pathParameters: Record<string, string> } | undefined {
  const ranks: number[] = [];
  const pathParameters: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    if ('greedy' in segment) {
      // `{proxy+}` takes the rest of the path, at least one segment of it.
      const rest = parts.slice(index);
      if (index !== segments.length - 1 || rest.length === 0 || rest.join('/') === '') return undefined;
      pathParameters[segment.greedy] = decoded(rest.join('/'));
      ranks.push(RANK.greedy);
      return { ranks, pathParameters };
    }
    const part = parts[index];
    if (part === undefined) return undefined;
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
      ranks.push(RANK.literal);
    } else {
      if (part === '') return undefined;
      pathParameters[segment.parameter] = decoded(part);
      ranks.push(RANK.parameter);
    }
  }
  return parts.length === segments.length ? { ranks, pathParameters } : undefined;
}

const compareRanks = (a: readonly number[], b: readonly number[]): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
};

/**
 * The route API Gateway would pick for `method` and `rawPath` (still percent-encoded, so that an
 * encoded `/` stays inside its segment): the most specific match, segment by segment (a literal
 * before a `{param}`, a `{param}` before a greedy `{proxy+}`), a route of the request's method
 * before one of `ANY`, and `$default` when no other matches.
 */
export function matchRoute<R extends { readonly routeKey: string }>(routes: readonly R[], method: string, rawPath: string): RouteMatch<R> | undefined {
  const parts = rawPath.split('/').slice(1);
  let best: { route: R; ranks: number[]; anyMethod: boolean; pathParameters: Record<string, string> } | undefined;
  for (const route of routes) {
    const key = parseRouteKey(route.routeKey);
    if (!key || (key.method !== 'ANY' && key.method !== method.toUpperCase())) continue;
    const matched = matchSegments(key.segments, parts);
    if (!matched) continue;
    const candidate = { route, ...matched, anyMethod: key.method === 'ANY' };
    const order = best ? compareRanks(candidate.ranks, best.ranks) || Number(candidate.anyMethod) - Number(best.anyMethod) : -1;
    if (order < 0) best = candidate;
  }
  if (best) return { route: best.route, pathParameters: best.pathParameters };
  const fallback = routes.find((route) => route.routeKey === '$default');
  return fallback ? { route: fallback, pathParameters: {} } : undefined;
}
