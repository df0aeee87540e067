import { definitionKindOf, describeDefinitionKind, type DefinitionKind } from '../shared/definition-kind';
import { isRecord } from '../shared/guards';

/**
 * What synth needs to know of a user's module, read by the runtime itself: the construct bundles
 * this entry with the module and evaluates it at synth (lib/private/bundling/module-manifest.ts),
 * so the shapes of definitions are known in one place, the runtime.
 */
export interface DefinitionManifest {
  /** The kind of the default export, or undefined when it is not a definition. */
  readonly kind?: DefinitionKind;
  /** The default export in words (`defineProjection(...)`, or what it is instead), for error messages. */
  readonly found: string;
  /** Projections: the event types that have a handler (their rule matches only these), sorted. */
  readonly eventTypes: string[];
  /** Projections: the read-model indexes they fill, sorted. */
  readonly indexNames: string[];
}

/** The manifest of a module's default export. */
export function describeDefinition(definition: unknown): DefinitionManifest {
  const kind = definitionKindOf(definition);
  const found = describeDefinitionKind(definition);
  if (kind !== 'projection' && kind !== 'customProjection') return { kind, found, eventTypes: [], indexNames: [] };
  const { events, indexes } = definition as { events?: unknown; indexes?: unknown };
  // A key whose handler is undefined (allowed by the handlers' optional keys) handles nothing.
  const eventTypes = isRecord(events) ? Object.keys(events).filter((type) => typeof events[type] === 'function').sort() : [];
  const indexNames = isRecord(indexes) ? Object.keys(indexes).sort() : [];
  return { kind, found, eventTypes, indexNames };
}
