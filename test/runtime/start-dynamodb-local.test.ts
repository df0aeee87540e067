import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_DYNAMODB_LOCAL_DIR } from '../helpers/shared-dynamodb-local';

const root = path.join(__dirname, '..', '..');

describe('startDynamoDbLocal', () => {
  test('without java on PATH, fails at once with an error that names the fix', () => {
    // GIVEN a process whose PATH has no java (jest's process.env is its own copy, so a child process is needed)
    const emptyBin = fs.mkdtempSync(path.join(os.tmpdir(), 'no-java-'));
    const script = `require(${JSON.stringify(path.join(root, 'lambda', 'local', 'dynamodb-local.ts'))})
      .startDynamoDbLocal({ directory: ${JSON.stringify(REPO_DYNAMODB_LOCAL_DIR)} })
      .then(() => { console.log('started'); process.exit(0); }, (error) => { console.log(error.message); process.exit(1); });`;
    try {
      // WHEN
      const result = spawnSync(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), '-e', script], {
        env: { ...process.env, PATH: emptyBin }, encoding: 'utf8', timeout: 30_000,
      });
      // THEN
      expect(result.stdout.trim()).toBe('DynamoDB Local needs Java 17 or later, and no `java` is on PATH. Install a Java 17+ runtime (any OpenJDK build), or pass the endpoint of a DynamoDB Local you run yourself (`dynamoDbEndpoint`).');
      expect(result.status).toBe(1);
    } finally {
      fs.rmSync(emptyBin, { recursive: true, force: true });
    }
  });
});
