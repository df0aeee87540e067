import type { CommandContext, CommandEnvelope, EventEnvelope } from '../shared/envelope';
import { parseCommandEnvelope } from './command-envelope';
import { UnknownCommand } from '../shared/errors';
import { ownFunction } from '../shared/guards';
import { buildEnvelopes, toDecidedEvents, type EnvelopeContext } from './build-events';
import type { AnyAggregate } from './define-aggregate';
import { foldEvents } from './fold';
import { currentSchemaVersion } from './upcast';
import { validatePayload } from './validate-payload';
import { checkCommandKeys } from '../store/keys';
import { commandFingerprint } from './code-fingerprint';

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
  readonly decide: (payload: unknown, state: unknown, context: CommandContext) => unknown;
  /** The command's type and payload as sent: what a retry under the same commandId must repeat. */
  readonly fingerprint: string;
}

/** What a command decided on a state: its events at the next versions, and the state and version after them. */
export interface Decision {
  readonly events: EventEnvelope[];
  readonly state: unknown;
  readonly version: number;
}

/** Where a command is handled: the aggregate's name, and whether it writes read-your-writes session entries. */
export interface CommandSite {
  readonly aggregateName: string;
  readonly sessions: boolean;
}

/**
 * Checks the envelope and the keys it makes (`ValidationError`), finds the command
 * (`UnknownCommand`) and validates its payload (`ValidationError`).
 */
export async function prepareCommand(aggregate: AnyAggregate, input: unknown, site: CommandSite): Promise<PreparedCommand> {
  const command = parseCommandEnvelope(input);
  const { aggregateName } = site;
  checkCommandKeys({
    aggregateId: command.aggregateId,
    commandId: command.commandId,
    session: site.sessions && command.sessionId !== undefined ? { sessionId: command.sessionId, aggregateName } : undefined,
  });
  const decide = ownFunction(aggregate.commands, command.type);
  if (!decide) throw new UnknownCommand({ commandType: command.type, knownCommands: Object.keys(aggregate.commands), aggregateName });
  const payload = await validatePayload(aggregate, command);
  return { command: { ...command, payload }, decide, fingerprint: commandFingerprint(command.type, command.payload) };
}

/** Decides `prepared` on `current` (throws what decide throws, or `ValidationError` for events that cannot be stored). */
export function decideOn(
  aggregate: AnyAggregate, prepared: PreparedCommand, current: { readonly state: unknown; readonly version: number }, context: EnvelopeContext,
): Decision {
  const { command, decide } = prepared;
  // A fresh context per call: decide cannot leave anything in it for the next command.
  const decided = toDecidedEvents(decide(command.payload, current.state, { aggregateId: command.aggregateId, caller: command.caller }), command.type);
  const events = buildEnvelopes(command, decided, current.version, { ...context, schemaVersionOf: (type) => currentSchemaVersion(aggregate.upcasters, type) });
  return { events, state: foldEvents(aggregate, current.state, events), version: current.version + events.length };
}
