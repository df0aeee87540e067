import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV } from '../../lib/private/runtime-contract';
import { isCustomProjection } from '../projection/define-custom-projection';
import { isProjection } from '../projection/define-projection';
import { projectMessages, type ProjectorDeps } from '../projection/project-messages';
import type { BatchResponse, QueueMessage } from '../projection/queue-message';
import { requireEnv } from '../shared/read-env';
import { handleRebuildRequest, isRebuildRequest, type RebuildContext, type RebuildReport, type RebuildRequest, type SelfInvoker } from '../projection/rebuild-request';

/** What the projector is invoked with: an SQS batch, or a rebuild request (`aws lambda invoke`, or itself). */
export type ProjectorEvent = { readonly Records: readonly QueueMessage[] } | RebuildRequest;

export interface ProjectorHandlerDeps extends ProjectorDeps {
  /** How a rebuild invokes the function again. @default - a LambdaClient for the current region */
  readonly lambda?: SelfInvoker;
}

/**
 * The projector Lambda for a projection: an SQS event source with ReportBatchItemFailures, and
 * the rebuild of the projection when invoked with a `RebuildRequest`.
 */
export function createProjector(projection: unknown, deps?: ProjectorHandlerDeps): {
  (event: { readonly Records: readonly QueueMessage[] }, context?: RebuildContext): Promise<BatchResponse>;
  (event: RebuildRequest, context: RebuildContext): Promise<RebuildReport>;
} {
  if (!isProjection(projection)) {
    throw new Error('cdk-cqrs: the projector got no projection: the module\'s default export must be defineProjection(...).');
  }
  let resolved = deps;
  let lambda = deps?.lambda;
  const handler = async (event: ProjectorEvent, context?: RebuildContext): Promise<BatchResponse | RebuildReport> => {
    resolved ??= depsFromEnv();
    if (isRebuildRequest(event)) {
      if (isCustomProjection(projection)) throw new Error('cdk-cqrs: a projection with custom writes cannot be rebuilt from the event store by cdk-cqrs: its handlers decide what they write.');
      if (!context) throw new Error('cdk-cqrs: a rebuild request needs the Lambda context (its function name and remaining time).');
      if (!lambda) {
        // Loaded here, not at cold start: only a rebuild invokes Lambda.
        const { LambdaClient } = await import('@aws-sdk/client-lambda');
        lambda = new LambdaClient({});
      }
      return handleRebuildRequest(projection, event, context, { ...resolved, lambda });
    }
    return projectMessages(projection, event.Records, resolved);
  };
  return handler as ReturnType<typeof createProjector>;
}

function depsFromEnv(): ProjectorHandlerDeps {
  return {
    dynamoDb: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
    readModelTable: requireEnv('readModelTable'),
    eventStoreTable: requireEnv('eventStoreTable'),
    projectionName: requireEnv('projectionName'),
    // Optional: with it, an event of another aggregate on a shared bus is ignored rather than applied.
    aggregateName: process.env[ENV.aggregateName] || undefined,
  };
}
