import type { BatchGetCommandOutput, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { READ_MODEL } from '../../lib/private/runtime-contract';
import { UNPROCESSED_KEYS_RETRY_POLICY, backoffDelayMs, sleep } from '../shared/retry-policies';
import { documentKey, fromReadModelItem, type ProjectedDocument } from './read-model-item';

/** DynamoDB's most keys in one BatchGetItem. */
const KEYS_PER_BATCH_GET = 100;

/**
 * The stored documents of some aggregates in a projection, strongly consistent, 100 keys per
 * BatchGetItem; an aggregate without a document is not in the map.
 *
 * Keys DynamoDB leaves unprocessed (the table is throttling, or the answer passed 16 MB) are asked
 * for again after a backoff, never dropped: a missing document would read as "none yet" and the
 * projector would then write over one. Still unprocessed after the policy's retries, the read
 * throws rather than loop for as long as the throttling lasts.
 */
export async function readDocuments(
  client: DynamoDBDocumentClient, readModelTable: string, projectionName: string, aggregateIds: readonly string[],
): Promise<Map<string, ProjectedDocument>> {
  // Loaded on first use: importing the runtime must not need the SDK.
  const { BatchGetCommand } = await import('@aws-sdk/lib-dynamodb');
  const documents = new Map<string, ProjectedDocument>();
  for (let start = 0; start < aggregateIds.length; start += KEYS_PER_BATCH_GET) {
    let keys: Record<string, unknown>[] | undefined = aggregateIds.slice(start, start + KEYS_PER_BATCH_GET).map((id) => documentKey(id, projectionName));
    for (let attempt = 0; keys && keys.length > 0; attempt += 1) {
      if (attempt > UNPROCESSED_KEYS_RETRY_POLICY.maxRetries) {
        throw new Error(`Read model ${readModelTable}: BatchGetItem still left ${keys.length} keys unprocessed after ${UNPROCESSED_KEYS_RETRY_POLICY.maxRetries} retries (the table is throttling).`);
      }
      if (attempt > 0) await sleep(backoffDelayMs(UNPROCESSED_KEYS_RETRY_POLICY, attempt));
      const answer: BatchGetCommandOutput = await client.send(new BatchGetCommand({ RequestItems: { [readModelTable]: { Keys: keys, ConsistentRead: true } } }));
      for (const item of answer.Responses?.[readModelTable] ?? []) {
        const document = fromReadModelItem(item);
        if (document) documents.set(item[READ_MODEL.partitionKey] as string, document);
      }
      keys = answer.UnprocessedKeys?.[readModelTable]?.Keys;
    }
  }
  return documents;
}
