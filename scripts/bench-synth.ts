// `npm run bench -- synth`: what cdk-cqrs adds to a synth, as a user's app pays it. The package is
// packed as npm would publish it and installed into a new app that has only cdk-cqrs, aws-cdk-lib
// and constructs (so no native esbuild: esbuild-wasm bundles), and the app module is run with
// `node app.js` (what `cdk synth` runs, without the CLI's own start-up, which would only shrink
// the ratios). Three shapes are synthesized in turn, round after round (A, B, C, A, B, C ...),
// each in a fresh process with a fresh output folder, and each shape's median is divided by the
// empty stack's: the machine is shared, so only ratios measured in one run mean anything.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { judged, median, type Goal } from './bench-stats';
import { counterModule, counterViewModule, npmInstall, packPackage, userAppDependencies } from '../test/helpers/packed-package';

/** The shapes: an empty stack is the baseline; an aggregate has two projections, ten go in a stack (39 resources each, 500 a stack). */
const SHAPES: ReadonlyArray<{ name: string; aggregates: number; goal?: Goal }> = [
  { name: 'an empty stack', aggregates: 0 },
  { name: 'one aggregate, two projections', aggregates: 1, goal: { atMost: 1.25 } },
  { name: 'twenty such aggregates', aggregates: 20, goal: { atMost: 1.6 } },
];
const MOST_AGGREGATES = Math.max(...SHAPES.map((shape) => shape.aggregates));

// Each aggregate has modules of its own, as in an app: no manifest or bundle is shared between them.
const appModule = `const path = require('node:path');
const { App, Stack } = require('aws-cdk-lib');

const aggregates = Number(process.env.AGGREGATES);
const app = new App({ outdir: process.env.OUTDIR });
const stacks = [new Stack(app, 'Stack0')];
if (aggregates > 0) {
  const { CqrsAggregate } = require('cdk-cqrs');
  for (let i = 0; i < aggregates; i++) {
    const stack = stacks[Math.floor(i / 10)] ??= new Stack(app, 'Stack' + Math.floor(i / 10));
    const domain = path.join(__dirname, 'domain', 'counter' + i);
    new CqrsAggregate(stack, 'Counter' + i, {
      aggregateName: 'Counter' + i, entry: path.join(domain, 'counter.ts'),
      projections: ['ViewA', 'ViewB'].map((projectionName) => ({ projectionName, entry: path.join(domain, projectionName + '.ts') })),
    });
  }
}
app.synth();
`;

/** Packs the package and makes the user's app in `work`; returns the app's folder. */
export function makeSynthApp(work: string): string {
  const { tarball } = packPackage(work);
  const appDir = path.join(work, 'app');
  for (let i = 0; i < MOST_AGGREGATES; i++) {
    const domain = path.join(appDir, 'domain', `counter${i}`);
    fs.mkdirSync(domain, { recursive: true });
    fs.writeFileSync(path.join(domain, 'counter.ts'), counterModule(`Counter ${i} overflow past 1000`));
    for (const projection of ['ViewA', 'ViewB']) fs.writeFileSync(path.join(domain, `${projection}.ts`), counterViewModule);
  }
  fs.writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({ name: 'bench-app', private: true, dependencies: userAppDependencies(tarball) }));
  fs.writeFileSync(path.join(appDir, 'app.js'), appModule);
  npmInstall(appDir);
  if (fs.existsSync(path.join(appDir, 'node_modules', 'esbuild'))) throw new Error('the app has a native esbuild: the bench is for an app without one');
  return appDir;
}

/** Milliseconds of one synth of `aggregates` aggregates in a fresh process, into a fresh output folder. */
export function timeSynth(appDir: string, aggregates: number): number {
  const outdir = fs.mkdtempSync(path.join(appDir, 'cdk.out-'));
  try {
    const started = performance.now();
    // CDK_DOCKER points at a command that always fails: synth must never need Docker.
    const result = spawnSync(process.execPath, ['app.js'], {
      cwd: appDir, encoding: 'utf8', env: { ...process.env, AGGREGATES: String(aggregates), OUTDIR: outdir, CDK_DOCKER: 'false' },
    });
    const ms = performance.now() - started;
    if (result.status !== 0) throw new Error(`the synth of ${aggregates} aggregates failed:\n${result.stderr}`);
    return ms;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Prints the synth ratios, medians of `rounds` interleaved runs of each shape. */
export function benchSynth(rounds: number): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-cqrs-bench-synth-'));
  try {
    console.log('Packing the package and making a user app from it (no native esbuild) ...');
    const appDir = makeSynthApp(work);
    const times = SHAPES.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) SHAPES.forEach((shape, i) => times[i].push(timeSynth(appDir, shape.aggregates)));
    const baseline = median(times[0]);
    console.log(`synth, \`node app.js\` in a user app without esbuild (medians of ${rounds} interleaved runs):`);
    SHAPES.forEach((shape, i) => {
      const ms = median(times[i]);
      const ratio = ms / baseline;
      const against = shape.goal ? `${ratio.toFixed(2)}x the empty stack ${judged(Number(ratio.toFixed(2)), shape.goal)}` : 'the baseline';
      console.log(`  ${shape.name.padEnd(32)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${against}   [runs: ${times[i].map((t) => (t / 1000).toFixed(1)).join(', ')} s]`);
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
