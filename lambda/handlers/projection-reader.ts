import { isCustomProjection } from '../projection/define-custom-projection';
import { isProjection, type AnyProjection, type Projection } from '../projection/define-projection';
import { Repository } from '../query/repository';
import { describeDefinitionKind } from '../shared/definition-kind';
import { isRecord } from '../shared/guards';
import { readYourWritesEnv, requireEnv } from '../shared/read-env';
import { createDocumentClient } from '../store/document-client';
import type { DocumentClientLike } from '../store/document-client-like';
import type { SessionReadSettings } from '../store/session-entry';
import { isHttpApiEvent } from '../http/http-command';
import { answerHttpProjectionRead, type ExposedProjection, type ProjectionReadSite } from '../http/projection-read';
import type { HttpAnswer } from '../http/problem';

export interface ProjectionReaderDeps {
  readonly readModelTable: string;
  /** The aggregate's name: session entries are keyed by it. */
  readonly aggregateName: string;
  /** With the aggregate's `readYourWrites`: a verified caller's own pending writes are merged into what they read. */
  readonly readYourWrites?: SessionReadSettings;
  /** @default - a DynamoDB document client for the current region, created on the first request */
  readonly dynamoDb?: DocumentClientLike;
}

/**
 * The projection reader Lambda: answers `GET /{resource}/{aggregateId}/{projectionName}` of API
 * Gateway's HTTP API (payload format 2.0) with the view of each exposed projection, by the name
 * it is exposed under. Each must be a `defineProjection(...)`: its documents are one per aggregate,
 * read by id. The environment is read on the first request.
 */
export function createProjectionReader(projections: Record<string, unknown>, deps?: ProjectionReaderDeps): (event: unknown) => Promise<HttpAnswer> {
  const exposed = checkedProjections(projections);
  let site: ProjectionReadSite | undefined;
  return async (event) => {
    if (!isHttpApiEvent(event)) {
      throw new Error('cdk-cqrs: the projection reader answers only API Gateway HTTP API events (payload format 2.0) of GET /{resource}/{aggregateId}/{projectionName}; it was invoked with something else.');
    }
    site ??= readSite(exposed, deps ?? await depsFromEnv());
    return answerHttpProjectionRead(event, site);
  };
}

/** The exposed projections, each checked to be a `defineProjection(...)`, in a map with no prototype. */
function checkedProjections(projections: unknown): ReadonlyMap<string, AnyProjection> {
  if (!isRecord(projections)) throw new Error('cdk-cqrs: the projection reader takes its projections as an object, by the name each is exposed under.');
  return new Map(Object.entries(projections).map(([name, projection]) => {
    if (isCustomProjection(projection)) {
      // Its handlers write documents their own way (any key, any table): there is no document of an aggregate to read by its id.
      throw new Error(`cdk-cqrs: projection ${name} is a defineCustomProjection(...): its handlers write what they choose, so it has no document per aggregate to read. Expose only defineProjection(...) projections, or read its documents with a function of your own.`);
    }
    if (!isProjection(projection)) {
      throw new Error(`cdk-cqrs: projection ${name} of the projection reader must be defineProjection(...); it is ${describeDefinitionKind(projection)}.`);
    }
    if (typeof projection.readableBy !== 'function') {
      // Synth refuses it first (CqrsHttpApi); this guards any other way of making the reader.
      throw new Error(`cdk-cqrs: projection ${name} has no readableBy, so no document of it may be read over HTTP. Add readableBy: (view, { caller }) => ... to its defineProjection(...), or () => true for documents every caller may read.`);
    }
    return [name, projection];
  }));
}

/** One repository per exposed projection, all on one client. */
function readSite(exposed: ReadonlyMap<string, AnyProjection>, deps: ProjectionReaderDeps): ProjectionReadSite {
  const readers: Record<string, ExposedProjection> = Object.create(null) as Record<string, ExposedProjection>;
  for (const [projectionName, projection] of exposed) {
    const repository = new Repository(projection as unknown as Projection<unknown, unknown>, {
      tableName: deps.readModelTable, projectionName, dynamoDb: deps.dynamoDb, readYourWrites: deps.readYourWrites,
    });
    readers[projectionName] = { read: (aggregateId, options) => repository.getDocument(aggregateId, options), readableBy: projection.readableBy };
  }
  return { readers, ...(deps.readYourWrites ? { sessions: { aggregateName: deps.aggregateName } } : {}) };
}

async function depsFromEnv(): Promise<ProjectionReaderDeps> {
  return {
    readModelTable: requireEnv('readModelTable'),
    aggregateName: requireEnv('aggregateName'),
    readYourWrites: readYourWritesEnv(),
    dynamoDb: await createDocumentClient(),
  };
}
