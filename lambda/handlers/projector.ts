import { ENV } from '../../lib/private/runtime-contract';
import { describeDefinitionKind } from '../shared/definition-kind';
import { requireEnv } from '../shared/read-env';
import { createDocumentClient } from '../store/document-client';
import { isCustomProjection, type AnyCustomProjection } from '../projection/define-custom-projection';
import { isProjection, type AnyProjection } from '../projection/define-projection';
import { projectCustomWrites } from '../projection/project-custom-writes';
import { projectMessages, type ProjectorDeps } from '../projection/project-messages';
import { failWhenAllFailed, type BatchDeps } from '../projection/projector-batch';
import type { BatchResponse } from '../shared/batch-response';
import type { QueueMessage } from '../projection/queue-message';
import { handleRebuildRequest, isRebuildRequest, rebuildInvocation, type RebuildContext, type RebuildReport, type RebuildRequest, type SelfInvoker } from '../projection/rebuild-request';

/** What the projector is invoked with: an SQS batch, or a rebuild request (`aws lambda invoke`, or itself). */
export type ProjectorEvent = { readonly Records: readonly QueueMessage[] } | RebuildRequest;

export interface ProjectorHandlerDeps extends ProjectorDeps {
  /** How a rebuild invokes the function again. @default - a LambdaClient for the current region */
  readonly lambda?: SelfInvoker;
}

/** The projector's handler: an SQS batch in, its partial batch response out; or a rebuild request in, its report out. */
export interface Projector {
  (event: { readonly Records: readonly QueueMessage[] }, context?: RebuildContext): Promise<BatchResponse>;
  (event: RebuildRequest, context: RebuildContext): Promise<RebuildReport>;
}

/**
 * The projector Lambda of a projection module: an SQS event source with ReportBatchItemFailures.
 * A `defineProjection(...)` folds documents exactly and is rebuilt when invoked with a
 * `RebuildRequest`; a `defineCustomProjection(...)` runs its handlers and cannot be rebuilt.
 */
export function createProjector(definition: unknown, deps?: ProjectorHandlerDeps): Projector {
  if (isProjection(definition)) return exactProjector(definition, deps);
  if (isCustomProjection(definition)) return customProjector(definition, deps);
  throw new Error(`cdk-cqrs: the projector's module must have defineProjection(...) or defineCustomProjection(...) as its default export; it has ${describeDefinitionKind(definition)}.`);
}

function exactProjector(projection: AnyProjection, deps: ProjectorHandlerDeps | undefined): Projector {
  let resolved = deps;
  const rebuilding = rebuildInvocation(deps?.lambda);
  const handler = async (event: ProjectorEvent, context?: RebuildContext): Promise<BatchResponse | RebuildReport> => {
    resolved ??= { ...await batchDepsFromEnv(), eventStoreTable: requireEnv('eventStoreTable') };
    if (isRebuildRequest(event)) {
      const { context: lambdaContext, lambda } = await rebuilding(context);
      return handleRebuildRequest(projection, event, lambdaContext, { ...resolved, lambda });
    }
    const batch = resolved;
    return failWhenAllFailed(batch, event.Records, (log) => projectMessages(projection, event.Records, { ...batch, log }));
  };
  return handler as Projector;
}

function customProjector(projection: AnyCustomProjection, deps: BatchDeps | undefined): Projector {
  let resolved = deps;
  const handler = async (event: ProjectorEvent): Promise<BatchResponse> => {
    if (isRebuildRequest(event)) {
      throw new Error('cdk-cqrs: a projection with custom writes cannot be rebuilt from the event store by cdk-cqrs: its handlers decide what they write.');
    }
    resolved ??= await batchDepsFromEnv();
    const batch = resolved;
    return failWhenAllFailed(batch, event.Records, (log) => projectCustomWrites(projection, event.Records, { ...batch, log }));
  };
  return handler as Projector;
}

async function batchDepsFromEnv(): Promise<BatchDeps> {
  return {
    dynamoDb: await createDocumentClient(),
    readModelTable: requireEnv('readModelTable'),
    projectionName: requireEnv('projectionName'),
    // Optional: with it, an event of another aggregate on a shared bus is ignored rather than applied.
    aggregateName: process.env[ENV.aggregateName] || undefined,
  };
}
