import type { CommandEnvelope, CommandResult } from '../shared/envelope';
import { isCommandRejection } from '../shared/errors';
import { isRecord } from '../shared/guards';
import { commandAnswer } from './command-answer';
import { callerOf, commandFromHttp, type HttpApiEvent } from './http-request';
import { problemAnswer, type HttpAnswer } from './problem';

/** An event of API Gateway's HTTP API in payload format 2.0, as opposed to a command envelope invoked directly. */
export function isHttpApiEvent(event: unknown): event is HttpApiEvent {
  return isRecord(event) && event.version === '2.0' && isRecord(event.requestContext) && isRecord(event.requestContext.http);
}

/** Where a fault is reported: one JSON line, with the correlation id the caller was given. */
export type FaultLog = (entry: { readonly level: 'ERROR'; readonly message: string; readonly correlationId: string; readonly error: string }) => void;

const logToConsole: FaultLog = (entry) => console.error(JSON.stringify(entry));

/**
 * Answers one command sent over the HTTP API: the request becomes a command envelope (a bad one is
 * a 400 before anything is read), `run` handles it, and the result or rejection becomes an HTTP
 * answer. A fault is logged with the correlation id and answered as a 500 that carries only that
 * id, so nothing internal reaches the caller.
 */
export async function answerHttpCommand(event: HttpApiEvent, run: (command: CommandEnvelope) => Promise<CommandResult>, log: FaultLog = logToConsole): Promise<HttpAnswer> {
  const caller = callerOf(event);
  let correlationId = event.requestContext.requestId;
  try {
    const command = commandFromHttp(event, caller);
    correlationId = command.metadata?.correlationId ?? correlationId;
    return commandAnswer(await run(command), correlationId);
  } catch (error) {
    if (!isCommandRejection(error)) {
      log({ level: 'ERROR', message: 'The command failed with a fault; the caller got a 500 with this correlation id.', correlationId, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
    return problemAnswer(error, correlationId);
  }
}
