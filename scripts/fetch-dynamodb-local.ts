// Fetches AWS's DynamoDB Local into .cache/ (its licence forbids redistribution: we fetch, never commit).
import { fetchDynamoDbLocal } from '../lambda/local/dynamodb-local';
import { REPO_DYNAMODB_LOCAL_DIR } from '../test/helpers/shared-dynamodb-local';

process.stdout.write(`${fetchDynamoDbLocal(REPO_DYNAMODB_LOCAL_DIR)}\n`);
