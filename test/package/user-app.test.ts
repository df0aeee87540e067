import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { typeScriptBlocks, writeBlocks } from '../helpers/doc-code-blocks';
import { LOCAL_APP_SDK_CLIENTS, REPO_ROOT, atOurVersion, npmInstall, packPackage, userAppDependencies } from '../helpers/packed-package';
import { REPO_DYNAMODB_LOCAL_DIR } from '../helpers/shared-dynamodb-local';

// A new user's app, made as today's `cdk init app --language typescript` makes it (its own
// template, from the CDK CLI we develop with: TypeScript 7, NodeNext, declaration: true, jest
// through @swc/jest), with the packed package installed. Every TypeScript block of README.md and
// docs/ is written into it at the path its first line names, and the example app beside them.
const INIT_TEMPLATE = path.join(REPO_ROOT, 'node_modules', 'aws-cdk', 'lib', 'init-templates', 'app', 'typescript');
const DOCS = [path.join(REPO_ROOT, 'README.md'), ...fs.readdirSync(path.join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join(REPO_ROOT, 'docs', f))];

/** The classic settings of apps made before TypeScript 7: CommonJS with `node` (node10) resolution. */
const CLASSIC_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'commonjs', moduleResolution: 'node', lib: ['es2022'], strict: true,
    // Declarations are emitted (not just checked) so a type that cannot be named fails here too.
    declaration: true, emitDeclarationOnly: true, outDir: '.classic-out', skipLibCheck: true, types: ['jest', 'node'],
  },
  exclude: ['node_modules', 'cdk.out', '.classic-out'],
};

const run = (appDir: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}) => {
  const result = spawnSync(process.execPath, [command, ...args], {
    cwd: appDir, encoding: 'utf8', timeout: 240_000,
    env: { ...process.env, DYNAMODB_LOCAL_DIR: REPO_DYNAMODB_LOCAL_DIR, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', ...env },
  });
  return { output: `${result.stdout}${result.stderr}`, status: result.status };
};

describe('a user app made by cdk init, holding every code block of the docs and the example app', () => {
  let appDir: string;

  beforeAll(() => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-user-app-'));
    const { tarball } = packPackage(work);
    appDir = path.join(work, 'shop');
    fs.mkdirSync(appDir);
    const template = JSON.parse(fs.readFileSync(path.join(INIT_TEMPLATE, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    // The CDK CLI is not needed to compile or test; the rest is as cdk init writes it.
    const { 'aws-cdk': _cli, ...devDependencies } = template.devDependencies;
    fs.writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({
      name: 'shop', version: '0.1.0', private: true,
      dependencies: userAppDependencies(tarball),
      devDependencies,
    }, null, 2));
    for (const file of ['tsconfig.json', 'jest.config.js']) fs.copyFileSync(path.join(INIT_TEMPLATE, file), path.join(appDir, file));
    fs.writeFileSync(path.join(appDir, 'tsconfig.classic.json'), JSON.stringify(CLASSIC_TSCONFIG, null, 2));
    writeBlocks(appDir, DOCS.flatMap((doc) => typeScriptBlocks(doc, REPO_ROOT)));
    fs.cpSync(path.join(REPO_ROOT, 'bin'), path.join(appDir, 'example'), { recursive: true });
    npmInstall(appDir);
    // What the README tells a user to add: the example's zod and cdk-nag, vitest, and the SDK clients LocalApp runs the functions with;
    // for SQL read models, kysely (their queries import its `sql`) and the RDS Data API client.
    npmInstall(appDir, '--save-dev', ...['zod', 'cdk-nag', 'vitest', 'kysely', '@aws-sdk/client-rds-data', ...LOCAL_APP_SDK_CLIENTS].map(atOurVersion));
  }, 600_000);

  test('the docs show the files the README\'s tests import', () => {
    expect(fs.existsSync(path.join(appDir, 'lib', 'shop-stack.ts'))).toBe(true);
    expect(fs.readdirSync(path.join(appDir, 'test')).filter((f) => f.endsWith('.test.ts')).length).toBeGreaterThanOrEqual(2);
  });

  test('compiles under TypeScript 7 with cdk init\'s settings (NodeNext, declaration: true, isolatedModules)', () => {
    const tsc = path.join(appDir, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(JSON.parse(fs.readFileSync(path.join(appDir, 'node_modules', 'typescript', 'package.json'), 'utf8')).version).toMatch(/^7\./);
    const { output, status } = run(appDir, tsc, ['-p', 'tsconfig.json']);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  test('compiles under TypeScript 5.9 with the classic settings (CommonJS, moduleResolution node), emitting declarations', () => {
    const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const { output, status } = run(appDir, tsc, ['-p', 'tsconfig.classic.json']);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  test('the README\'s tests pass under jest, with cdk init\'s jest config', () => {
    const { output, status } = run(appDir, path.join(appDir, 'node_modules', 'jest', 'bin', 'jest.js'), ['--ci']);
    expect(output).toMatch(/Tests:\s+(\d+) passed, \1 total/);
    expect(output).not.toMatch(/Bundling asset/);
    expect(status).toBe(0);
  }, 300_000);

  test('and under vitest, with its one documented setting: --globals', () => {
    const { output, status } = run(appDir, path.join(appDir, 'node_modules', 'vitest', 'vitest.mjs'), ['run', '--globals', '--dir', 'test']);
    expect(output).toMatch(/Tests\s+(\d+) passed \(\1\)/);
    expect(output).not.toMatch(/Bundling asset/);
    expect(status).toBe(0);
  }, 300_000);
});
