/**
 * What each `define*` function returns carries one of these as its `definitionKind`, and each
 * Lambda entry point (and the synth-time manifest) dispatches on it once. A kind is checked by
 * this string rather than by `instanceof`: a definition comes from the user's bundle, or from
 * another V8 context at synth.
 */
export const DEFINITION_KINDS = {
  aggregate: 'aggregate',
  projection: 'projection',
  customProjection: 'customProjection',
  queries: 'queries',
  sqlProjection: 'sqlProjection',
  sqlQueries: 'sqlQueries',
} as const;

export type DefinitionKind = typeof DEFINITION_KINDS[keyof typeof DEFINITION_KINDS];

/** The function a user calls to make each kind, for error messages. */
export const DEFINE_FUNCTION_OF: Readonly<Record<DefinitionKind, string>> = {
  aggregate: 'defineAggregate(...)',
  projection: 'defineProjection(...)',
  customProjection: 'defineCustomProjection(...)',
  queries: 'defineQueries(...)',
  sqlProjection: 'defineSqlProjection<Tables>()(...)',
  sqlQueries: 'defineSqlQueries<Tables>()(...)',
};

/** The kind a value says it is, or undefined for anything that no `define*` function returned. */
export function definitionKindOf(value: unknown): DefinitionKind | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const kind = (value as { definitionKind?: unknown }).definitionKind;
  return Object.values(DEFINITION_KINDS).find((known) => known === kind);
}

/** What a module's default export is, in words: `defineProjection(...)`, or what it is instead. */
export function describeDefinitionKind(value: unknown): string {
  const kind = definitionKindOf(value);
  if (kind) return DEFINE_FUNCTION_OF[kind];
  return value === undefined ? 'nothing (no default export)' : `not a definition (${value === null ? 'null' : typeof value})`;
}
