import type { GetOptions, ViewDocument } from '../query/repository';
import type { ReadContext } from '../projection/define-projection';
import { ownValue } from '../shared/guards';
import { sessionEntryFits } from '../store/keys';
import { logFaultToConsole, type FaultLog } from './fault-log';
import { answerOrProblem } from './http-command';
import { callerOf, projectionReadFromHttp, sessionIdOf, type HttpApiEvent } from './http-request';
import type { HttpAnswer } from './problem';
import { isReadRejection, NotFound, UnknownProjection } from './read-rejections';
import { viewAnswer } from './view-answer';

/** Reads one projection's document of an aggregate, a session's pending writes merged when given one: `Repository.getDocument`. */
export type DocumentReader = (aggregateId: string, options: Pick<GetOptions, 'sessionId'>) => Promise<ViewDocument<unknown> | undefined>;

/** An exposed projection: how to read its document, and who may. */
export interface ExposedProjection {
  readonly read: DocumentReader;
  /** The projection's `readableBy`. @default - nobody: an exposed projection must have one */
  readonly readableBy?: (view: unknown, context: ReadContext) => boolean;
}

/** What a projection reader reads: its exposed projections, and the aggregate's read-your-writes when it has them. */
export interface ProjectionReadSite {
  /** By exposed projection name. */
  readonly readers: Readonly<Record<string, ExposedProjection>>;
  /** With read-your-writes: the aggregate's name, which session entry keys hold. @default - reads see the read model alone */
  readonly sessions?: { readonly aggregateName: string };
}

/**
 * Answers `GET /{resource}/{aggregateId}/{projectionName}`: a 200 with the view and its ETag, or a
 * 404 problem for a projection not exposed (looked up as an own property) or no view. A verified
 * caller sees their own commands at once: their session (the one their commands write to) is merged,
 * as `Repository.get` does; an anonymous caller reads the read model alone.
 *
 * Every answer is `Cache-Control: no-store`: with a session merged the view is the caller's own, and
 * a 404 may become a 200 with the caller's next command, so no cache may keep either.
 */
export async function answerHttpProjectionRead(event: HttpApiEvent, site: ProjectionReadSite, log: FaultLog = logFaultToConsole): Promise<HttpAnswer> {
  const answer = await answerOrProblem(event, async (correlationId) => {
    const caller = callerOf(event);
    const { projectionName, aggregateId } = projectionReadFromHttp(event);
    const exposed = ownValue(site.readers, projectionName);
    if (exposed === undefined) throw new UnknownProjection({ projectionName, knownProjections: Object.keys(site.readers) });
    const session = site.sessions && caller ? { sessionId: sessionIdOf(caller), aggregateName: site.sessions.aggregateName } : undefined;
    // A session whose entry of this aggregate could not fit a key holds none (a command refuses to write it): nothing to merge.
    const sessionId = session && sessionEntryFits(session, aggregateId) ? session.sessionId : undefined;
    const document = await exposed.read(aggregateId, sessionId === undefined ? {} : { sessionId });
    // Not the caller's to read is answered as not there: the answer does not tell which ids exist.
    if (document === undefined || exposed.readableBy?.(document.view, { aggregateId, ...(caller ? { caller } : {}) }) !== true) throw new NotFound({ projectionName, aggregateId });
    return viewAnswer(document, correlationId);
  }, isReadRejection, log);
  return { ...answer, headers: { ...answer.headers, 'cache-control': 'no-store' } };
}
