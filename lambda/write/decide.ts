import type { CommandEnvelope, EventEnvelope } from '../shared/envelope';
import { parseCommandEnvelope } from '../shared/envelope';
import { UnknownCommand } from '../shared/errors';
import { ownFunction } from '../shared/guards';
import { buildEnvelopes, toDecidedEvents, type EnvelopeContext } from './build-events';
import type { AnyAggregate } from './define-aggregate';
import { foldEvents } from './fold';
import { validatePayload } from './validate-payload';

/**
 * The one decide pipeline, shared by the command handler and `specFor`, so that a spec refuses
 * exactly what the deployed handler refuses: check the envelope, look the command up, validate
 * its payload (`prepareCommand`, once per command); then decide on a state, normalise what
 * decide returned, wrap it in envelopes with their size checks and fold the new state
 * (`decideOn`, again on each retry).
 */

/** A command whose envelope, type and payload have been checked. */
export interface PreparedCommand {
  /** The envelope, its payload replaced by what the command's schema returned. */
  readonly command: CommandEnvelope;
  readonly decide: (payload: unknown, state: unknown) => unknown;
}

/** What a command decided on a state: its events at the next versions, and the state and version after them. */
export interface Decision {
  readonly events: EventEnvelope[];
  readonly state: unknown;
  readonly version: number;
}

/** Checks the envelope (`ValidationError`), finds the command (`UnknownCommand`) and validates its payload (`ValidationError`). */
export async function prepareCommand(aggregate: AnyAggregate, input: unknown, aggregateName?: string): Promise<PreparedCommand> {
  const command = parseCommandEnvelope(input);
  const decide = ownFunction(aggregate.commands, command.type);
  if (!decide) throw new UnknownCommand({ commandType: command.type, knownCommands: Object.keys(aggregate.commands), aggregateName });
  const payload = await validatePayload(aggregate, command);
  return { command: { ...command, payload }, decide };
}

/** Decides `prepared` on `current` (throws what decide throws, or `ValidationError` for events that cannot be stored). */
export function decideOn(
  aggregate: AnyAggregate, prepared: PreparedCommand, current: { readonly state: unknown; readonly version: number }, context: EnvelopeContext,
): Decision {
  const { command, decide } = prepared;
  const decided = toDecidedEvents(decide(command.payload, current.state), command.type);
  const events = buildEnvelopes(command, decided, current.version, { ...context, schemaVersions: aggregate.schemaVersions });
  return { events, state: foldEvents(aggregate, current.state, events), version: current.version + events.length };
}
