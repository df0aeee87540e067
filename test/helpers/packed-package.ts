import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** This repository, and the versions it develops against (a user's app gets the same ones). */
export const REPO_ROOT = path.join(__dirname, '..', '..');
export const REPO_PACKAGE = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; dependencies: Record<string, string> };

/** The `@aws-sdk/*` clients the README tells a user to add for `LocalApp`. */
export const LOCAL_APP_SDK_CLIENTS = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/client-dynamodb-streams', '@aws-sdk/client-eventbridge', '@aws-sdk/client-lambda'];

export const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** `npm install` in a user's app, from the cache where it can. */
export const npmInstall = (cwd: string, ...args: string[]) => npm(['install', '--prefer-offline', '--no-audit', '--no-fund', ...args], cwd);

/** `name@<the version this repository develops with>`, for a user's app. */
export const atOurVersion = (name: string) => `${name}@${REPO_PACKAGE.devDependencies[name] ?? REPO_PACKAGE.dependencies[name]}`;

/** The dependencies of a user's app made from the packed `tarball`: cdk-cqrs, aws-cdk-lib and constructs, nothing else. */
export const userAppDependencies = (tarball: string) => ({
  'cdk-cqrs': `file:${tarball}`,
  'aws-cdk-lib': REPO_PACKAGE.devDependencies['aws-cdk-lib'],
  'constructs': REPO_PACKAGE.devDependencies.constructs,
});

/** A user's aggregate module: a counter that refuses to pass 1000 with `overflowMessage`. */
export const counterModule = (overflowMessage = 'Counter overflow past 1000') => `import { defineAggregate, DomainError } from 'cdk-cqrs/runtime';

export default defineAggregate({
  initialState: () => ({ count: 0 }),
  commands: {
    Increment: (cmd: { by: number }, state) => {
      if (state.count + cmd.by > 1000) throw new DomainError('${overflowMessage}');
      return [{ type: 'Incremented', data: cmd }];
    },
  },
  events: {
    Incremented: (state, data) => ({ count: state.count + data.by }),
  },
});
`;

/** A user's projection module of `counterModule`, beside it as `./counter`. */
export const counterViewModule = `import { defineProjection } from 'cdk-cqrs/runtime';
import counter from './counter';

export default defineProjection<typeof counter, { count: number }>(counter, {
  events: { Incremented: (view, e) => ({ count: (view?.count ?? 0) + e.data.by }) },
});
`;

/**
 * Packs the built package as npm would publish it into `work`; the tarball's path and the files
 * it holds. Fails, naming the fix, when the package has not been built.
 */
export function packPackage(work: string): { tarball: string; files: string[] } {
  for (const built of ['lib/index.js', 'lambda/index.js', 'lambda/index.d.ts', '.jsii']) {
    if (!fs.existsSync(path.join(REPO_ROOT, built))) throw new Error(`${built} is missing: run \`npm test\` (or \`npm run build\`) so the package is built before it is packed.`);
  }
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], REPO_ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { tarball: path.join(work, packed[0].filename), files: packed[0].files.map((f) => f.path) };
}
