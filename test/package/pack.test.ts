import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOCAL_APP_SDK_CLIENTS, REPO_ROOT, atOurVersion, counterModule, counterViewModule, npmInstall, packPackage, userAppDependencies } from '../helpers/packed-package';
import { REPO_DYNAMODB_LOCAL_DIR } from '../helpers/shared-dynamodb-local';

// A user's view: pack the package as npm would publish it, install the tarball into a new CDK app
// that has only cdk-cqrs, aws-cdk-lib and constructs (no esbuild, no Docker, no tooling of ours), and synth there.
const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

// A user's test module: the testing kit's types must resolve too, with no AWS SDK installed.
const specModule = `import { DomainError } from 'cdk-cqrs/runtime';
import { specFor, LocalApp } from 'cdk-cqrs/testing';
import counter from './counter';

export const refusesOverflow = () =>
  specFor(counter).given([{ type: 'Incremented', data: { by: 1000 } }]).when({ type: 'Increment', payload: { by: 1 } }).thenThrows(DomainError);
export const startLocally = (directory: string) => LocalApp.start({ assembly: { directory } });
`;

const appModule = `const path = require('node:path');
const { App, Stack } = require('aws-cdk-lib');
const { CqrsAggregate } = require('cdk-cqrs');

const app = new App({ outdir: path.join(__dirname, 'cdk.out') });
const stack = new Stack(app, 'UserStack');
new CqrsAggregate(stack, 'Counters', {
  aggregateName: 'Counter', entry: path.join(__dirname, 'domain', 'counter.ts'),
  projections: [{ projectionName: 'CounterView', entry: path.join(__dirname, 'domain', 'counter-view.ts') }],
});
app.synth();
`;

// A user's vitest file: the kit's specs, and the synthesized app run locally, from the installed package.
const vitestModule = `import * as path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DomainError } from 'cdk-cqrs/runtime';
import { LocalApp, projectionSpecFor, specFor } from 'cdk-cqrs/testing';
import counter from './counter';
import counterView from './counter-view';

let local: LocalApp;
beforeAll(async () => { local = await LocalApp.start({ assembly: { directory: path.join(process.cwd(), 'cdk.out') } }); }, 60_000);
afterAll(() => local?.stop());

test('an aggregate spec', () =>
  specFor(counter).given([{ type: 'Incremented', data: { by: 1000 } }]).when({ type: 'Increment', payload: { by: 1 } }).thenThrows(DomainError));

test('a projection spec', () =>
  projectionSpecFor(counterView).given([{ type: 'Incremented', data: { by: 2 } }, { type: 'Incremented', data: { by: 3 } }]).then({ count: 5 }));

test('the app, run locally', async () => {
  const counters = local.commands<typeof counter>('Counter');
  await counters.send({ type: 'Increment', aggregateId: 'c-1', payload: { by: 2 } });
  await counters.send({ type: 'Increment', aggregateId: 'c-1', payload: { by: 3 } });
  await expect(counters.send({ type: 'Increment', aggregateId: 'c-1', payload: { by: 999 } })).rejects.toBeInstanceOf(DomainError);
  await local.settle();
  expect(await local.repository(counterView, 'CounterView').get('c-1')).toEqual({ count: 5 });
});
`;

const tsconfigFor = (moduleResolution: string, module: string) => JSON.stringify({
  compilerOptions: { target: 'ES2022', module, moduleResolution, strict: true, noEmit: true, skipLibCheck: false, types: [] },
  files: ['domain/counter.ts', 'domain/counter-view.ts', 'domain/counter.spec.ts'],
});

describe('the published package', () => {
  let appDir: string;
  let tarballFiles: string[];

  beforeAll(() => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-pack-'));
    const packed = packPackage(work);
    tarballFiles = packed.files;
    appDir = path.join(work, 'app');
    fs.mkdirSync(path.join(appDir, 'domain'), { recursive: true });
    fs.writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({
      name: 'user-app', private: true,
      dependencies: userAppDependencies(packed.tarball),
    }));
    fs.writeFileSync(path.join(appDir, 'domain', 'counter.ts'), counterModule());
    fs.writeFileSync(path.join(appDir, 'domain', 'counter-view.ts'), counterViewModule);
    fs.writeFileSync(path.join(appDir, 'domain', 'counter.spec.ts'), specModule);
    fs.writeFileSync(path.join(appDir, 'domain', 'counter.local.test.ts'), vitestModule);
    fs.writeFileSync(path.join(appDir, 'app.js'), appModule);
    npmInstall(appDir);
  }, 300_000);

  test('ships the compiled constructs, the compiled runtime, esbuild-wasm and jose, and no TypeScript sources or tests', () => {
    expect(tarballFiles).toEqual(expect.arrayContaining([
      'lib/index.js', 'lib/index.d.ts', 'lambda/index.js', 'lambda/index.d.ts',
      'lambda/handlers/command-handler.js', 'lambda/handlers/publisher.js', 'lambda/testing/index.js', 'lambda/testing/index.d.ts', '.jsii', 'API.md', 'README.md',
      'node_modules/esbuild-wasm/package.json', 'node_modules/esbuild-wasm/esbuild.wasm',
      // The local runtime's token issuer: bundled, as jsii takes a non-jsii runtime dependency.
      'node_modules/jose/package.json', 'node_modules/jose/dist/webapi/index.js',
    ]));
    expect(tarballFiles.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(tarballFiles.filter((f) => f.startsWith('test/') || f.startsWith('bin/'))).toEqual([]);
  });

  test('synthesizes an aggregate in an app with no esbuild and no Docker', () => {
    expect(fs.existsSync(path.join(appDir, 'node_modules', 'esbuild'))).toBe(false);
    // CDK_DOCKER points at a command that always fails: synth must never need Docker.
    execFileSync(process.execPath, ['app.js'], { cwd: appDir, env: { ...process.env, CDK_DOCKER: 'false' }, stdio: 'pipe' });

    const template = JSON.parse(fs.readFileSync(path.join(appDir, 'cdk.out', 'UserStack.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> & { Code?: { S3Key: string } } }> };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    // The event store and the projection's read model.
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::DynamoDB::GlobalTable')).toHaveLength(2);
    expect(functions.map((f) => f.Properties.Runtime)).toEqual(['nodejs24.x', 'nodejs24.x', 'nodejs24.x']);

    // The asset of a function is staged as cdk.out/asset.<hash>, and its S3 key is <hash>.zip.
    const assetDir = (key: string) => path.join(appDir, 'cdk.out', `asset.${key.replace(/\.zip$/, '')}`);
    const bundles = functions.map((f) => fs.readFileSync(path.join(assetDir(f.Properties.Code!.S3Key), 'index.js'), 'utf8'));
    // The user's domain code is in the command handler's bundle and the projector's (the projection imports the aggregate).
    expect(bundles.map((code) => code.includes('Counter overflow past 1000'))).toEqual([true, false, true]);
  });

  test.each([
    ['NodeNext', 'NodeNext'],
    ['node', 'commonjs'],
  ])('type-checks a domain module against cdk-cqrs/runtime with moduleResolution %s', (moduleResolution, module) => {
    const config = path.join(appDir, `tsconfig.${moduleResolution}.json`);
    fs.writeFileSync(config, tsconfigFor(moduleResolution, module));
    const result = spawnSync(process.execPath, [tsc, '-p', config], { cwd: appDir, encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('runs the testing kit under vitest: specs, and the synthesized app on DynamoDB Local', () => {
    // GIVEN the app synthesized (the synth test above), and what README's "Testing your app end to end"
    // tells a user to add for LocalApp. Added last, so the tests above see an app without them.
    expect(fs.existsSync(path.join(appDir, 'cdk.out', 'manifest.json'))).toBe(true);
    npmInstall(appDir, '--save-dev', ...['vitest', ...LOCAL_APP_SDK_CLIENTS].map(atOurVersion));
    // WHEN vitest runs the user's test file, with the DynamoDB Local this run fetched
    const result = spawnSync(process.execPath, [path.join(appDir, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'domain/counter.local.test.ts'], {
      cwd: appDir, encoding: 'utf8', env: { ...process.env, DYNAMODB_LOCAL_DIR: REPO_DYNAMODB_LOCAL_DIR, CI: 'true', NO_COLOR: '1' }, timeout: 120_000,
    });
    // THEN
    const output = result.stdout + result.stderr;
    expect(output).toMatch(/Tests\s+3 passed \(3\)/);
    expect(result.status).toBe(0);
  }, 150_000);
});
