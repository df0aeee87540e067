import * as path from 'node:path';
import { startDynamoDbLocal as startInDirectory } from '../../lambda/local/dynamodb-local';

export { freePort, stopDynamoDbLocal, waitUntilListening, type RunningDynamoDbLocal } from '../../lambda/local/dynamodb-local';

/** Where this repository keeps DynamoDB Local (`npm run dynamodb-local` fetches it there). */
export const REPO_DYNAMODB_LOCAL_DIR = process.env.DYNAMODB_LOCAL_DIR || path.join(__dirname, '..', '..', '.cache', 'dynamodb-local');

/** Starts DynamoDB Local from this repository's cache. */
export const startDynamoDbLocal = () => startInDirectory({ directory: REPO_DYNAMODB_LOCAL_DIR });
