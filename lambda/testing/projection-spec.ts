import { isCustomProjection } from '../projection/define-custom-projection';
import { eraseProjection, type Projection } from '../projection/define-projection';
import type { EventEnvelope, EventMetadata } from '../shared/envelope';
import { foldProjection } from '../projection/projection-fold';
import { asStored, type SpecEvent, type StoredSpecEvent } from './aggregate-spec';
import { deepEqualOrFail, describeScenario, fail } from './spec-assertions';

/**
 * An event as a projection spec gives it: type and data, and any metadata the handlers read; or
 * an event stored by older code (`StoredSpecEvent`: with its `schemaVersion`), upcast before the
 * handlers see it. An event given without `schemaVersion` is taken at today's schema version.
 */
export type ProjectionSpecEvent<Agg> = (SpecEvent<Agg> | StoredSpecEvent) & { readonly metadata?: Partial<EventMetadata> };

/** What the given events' envelopes carry besides their type, data and metadata. */
export interface ProjectionSpecOptions {
  /** The aggregate the events belong to. @default 'spec-aggregate' */
  readonly aggregateId?: string;
  /** The aggregate's name, as the construct gives it. @default 'spec' */
  readonly aggregateName?: string;
}

export interface ProjectionSpecGiven<View> {
  /** The events leave exactly this view. */
  then(expected: View): void;
  /** The events leave no document: a handler returned null or undefined, or none created one. */
  thenDeleted(): void;
}

const startedAt = Date.UTC(2026, 0, 1);

/**
 * Given/then for a projection's view, in any test runner: `given` wraps the events in envelopes
 * (versions from 1, deterministic metadata: `occurredAt` is one second after
 * 2026-01-01T00:00:00.000Z per version unless an event sets it) and folds them with the
 * projector's own fold, and `then*` compares. A failed spec throws a SpecFailure that shows
 * the events given and the difference; so does a handler that throws.
 *
 * Synchronous, unlike `specFor`: a projection handler cannot await anything.
 *
 * Only for `defineProjection`: a `defineCustomProjection` handler writes the read model itself,
 * so test it against DynamoDB Local.
 *
 * @example
 * test('a suspended customer shows as suspended', () =>
 *   projectionSpecFor(customerView)
 *     .given([{ type: 'CustomerRegistered', data: ann }, { type: 'CustomerSuspended', data: { reason: 'fraud' } }])
 *     .then({ email: 'ann@example.com', name: 'Ann', status: 'SUSPENDED' }));
 */
export function projectionSpecFor<Agg, View>(definition: Projection<Agg, View>): {
  given(events: readonly ProjectionSpecEvent<Agg>[], options?: ProjectionSpecOptions): ProjectionSpecGiven<View>;
} {
  if (isCustomProjection(definition)) {
    throw new Error('projectionSpecFor: this projection is a defineCustomProjection(...), whose handlers write the read model themselves, so there is no view to fold. Test it against DynamoDB Local.');
  }
  const projection = eraseProjection(definition);
  return {
    given: (typedEvents, options = {}) => {
      const events = typedEvents as readonly GivenEvent[];
      const scenario = describeScenario(events);
      const fold = (): unknown => {
        const outcome = foldProjection(projection, { version: 0, view: undefined }, toEnvelopes(asStored(projection.aggregate?.upcasters, events), options), { checkEach: true });
        if (outcome.failure !== undefined) {
          const { version, error } = outcome.failure;
          fail(`${scenario}\n${events[version - 1].type} at version ${version} failed (its handler threw, or left a view that cannot be stored): ${String(error)}`);
        }
        return outcome.document.view;
      };
      return {
        then: (expected) => {
          const view = fold();
          if (view === undefined) fail(`${scenario}\nexpected a view, but no document is left: a handler returned null or undefined, or none created one`);
          deepEqualOrFail(view, expected, `${scenario}\nthe view differs from the one expected`);
        },
        thenDeleted: () => {
          const view = fold();
          if (view !== undefined) fail(`${scenario}\nexpected no document, but the view is ${JSON.stringify(view)}`);
        },
      };
    },
  };
}

interface GivenEvent {
  readonly type: string;
  readonly data: unknown;
  readonly schemaVersion?: number;
  readonly metadata?: Partial<EventMetadata>;
}

function toEnvelopes(events: readonly (Omit<GivenEvent, 'schemaVersion'> & { readonly version: number })[], options: ProjectionSpecOptions): EventEnvelope[] {
  return events.map((event) => {
    const { version } = event;
    return {
      aggregateName: options.aggregateName ?? 'spec',
      aggregateId: options.aggregateId ?? 'spec-aggregate',
      version,
      type: event.type,
      data: event.data,
      metadata: {
        eventId: `spec-event-${version}`,
        commandId: `spec-command-${version}`,
        correlationId: 'spec-correlation',
        causationId: `spec-command-${version}`,
        occurredAt: new Date(startedAt + version * 1000).toISOString(),
        schemaVersion: 1,
        ...event.metadata,
      },
    };
  });
}
