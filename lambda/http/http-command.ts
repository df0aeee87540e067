import type { CommandEnvelope, CommandResult } from '../shared/envelope';
import { isCommandRejection, isQueryRejection } from '../shared/errors';
import { isRecord } from '../shared/guards';
import { toErrorAnswer, type ErrorAnswer } from '../shared/error-answer';
import { commandAnswer } from './command-answer';
import { callerOf, commandFromHttp, correlationIdOf, queryFromHttp, type HttpApiEvent, type QueryRequest } from './http-request';
import { Forbidden, problemAnswer, type HttpAnswer } from './problem';
import { logFaultToConsole, type FaultLog } from './fault-log';

/** An event of API Gateway's HTTP API in payload format 2.0, as opposed to a request invoked directly. */
export function isHttpApiEvent(event: unknown): event is HttpApiEvent {
  return isRecord(event) && event.version === '2.0' && isRecord(event.requestContext) && isRecord(event.requestContext.http);
}

/**
 * Runs `work` for one HTTP request: a rejection (`isRejection`) becomes its RFC 9457 problem; a
 * fault is logged with the correlation id and answered as a 500 that carries only that id, so
 * nothing internal reaches the caller. The fault's log line counts it in the HTTP fault metric
 * (`fault-log.ts`), as Lambda's Errors metric does not see an answered fault.
 */
export async function answerOrProblem(event: HttpApiEvent, work: (correlationId: string) => Promise<HttpAnswer>, isRejection: (error: unknown) => boolean, log: FaultLog): Promise<HttpAnswer> {
  const correlationId = correlationIdOf(event);
  try {
    return await work(correlationId);
  } catch (error) {
    const answer = problemAnswer(error, correlationId);
    // Logged whenever it is answered as a fault: an error named like a rejection but of no class the
    // problems know (a validation library's ValidationError) is a 500 too, and must be found by its id.
    if (answer.statusCode === 500 || (!isRejection(error) && !(error instanceof Forbidden))) {
      log({ level: 'ERROR', message: 'The request failed with a fault; the caller got a 500 with this correlation id.', correlationId, error: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
    return answer;
  }
}

/**
 * Answers one command sent over the HTTP API: the request becomes a command envelope (a bad one is
 * a 400 before anything is read), `run` handles it, and the result becomes a 201 or 200 with its ETag.
 */
export function answerHttpCommand(event: HttpApiEvent, run: (command: CommandEnvelope) => Promise<CommandResult>, log: FaultLog = logFaultToConsole): Promise<HttpAnswer> {
  return answerOrProblem(event, async (correlationId) => commandAnswer(await run(commandFromHttp(event, callerOf(event))), correlationId), isCommandRejection, log);
}

/** Answers one query sent over the HTTP API (`GET /queries/{queryType}?...`, or POST with a JSON body): a 200 with the query's result as JSON, never cached. */
export async function answerHttpQuery(event: HttpApiEvent, run: (request: QueryRequest) => Promise<unknown>, log: FaultLog = logFaultToConsole): Promise<HttpAnswer> {
  const answer = await answerOrProblem(event, async (correlationId) => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    // A query that answers undefined answers null, as over a Lambda invoke.
    body: JSON.stringify((await run(queryFromHttp(event, callerOf(event)))) ?? null),
  }), isQueryRejection, log);
  // As a document's: the result may be the caller's own, and changes with their next command, so no cache may keep it.
  return { ...answer, headers: { ...answer.headers, 'cache-control': 'no-store' } };
}

/**
 * One invocation of a query function, of either kind: an HTTP API event (GET or POST
 * /queries/{queryType}) is answered in HTTP, with no function in between; a direct invocation
 * `{ type, params, caller? }` gets the query's result, or its rejection as an answer (`{ error }`).
 * Only faults throw.
 */
export async function answerQueryInvocation(event: unknown, run: (request: unknown) => Promise<unknown>): Promise<unknown | ErrorAnswer | HttpAnswer> {
  if (isHttpApiEvent(event)) return answerHttpQuery(event, run);
  try {
    return await run(event);
  } catch (err) {
    if (isQueryRejection(err)) return toErrorAnswer(err);
    throw err;
  }
}
