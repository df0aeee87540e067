import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BuildOptions, BuildResult, Message } from 'esbuild-wasm';

/** The part of esbuild's API that the bundler calls; native esbuild and esbuild-wasm share it. */
export interface EsbuildApi {
  readonly version: string;
  buildSync(options: BuildOptions): BuildResult;
}

/** Which esbuild runs: a native one found in the user's app (fast path), else our esbuild-wasm. */
export interface LoadedEsbuild {
  readonly implementation: 'esbuild' | 'esbuild-wasm';
  readonly api: EsbuildApi;
}

/** For tests only: set `native` to false to always run esbuild-wasm. */
export const esbuildPreference = { native: true };

let wasm: EsbuildApi | undefined;
let native: EsbuildApi | null | undefined;

/**
 * esbuild-wasm is a bundled dependency of this package, so it is always there, on every
 * platform, with no Docker engine. A native esbuild of exactly the same version in the app
 * (resolved from the working directory) is used instead when present: it is several times
 * faster and writes byte-identical output, so asset hashes do not depend on which one ran.
 */
export function loadEsbuild(): LoadedEsbuild {
  wasm ??= require('esbuild-wasm') as EsbuildApi;
  if (esbuildPreference.native) {
    native ??= findNativeEsbuild(wasm.version);
    if (native) return { implementation: 'esbuild', api: native };
  }
  return { implementation: 'esbuild-wasm', api: wasm };
}

function findNativeEsbuild(version: string): EsbuildApi | null {
  try {
    const resolved = require.resolve('esbuild', { paths: [process.cwd()] });
    const candidate = require(resolved) as EsbuildApi;
    return candidate.version === version ? candidate : null;
  } catch {
    return null;
  }
}

/** Compiled beside this file by `npm run build`; absent when the TypeScript sources run unbuilt. */
const WASM_PRELOAD = path.join(__dirname, 'esbuild-wasm-preload.js');
let wasmPreload: string | null | undefined;

/**
 * Runs `build` with NODE_OPTIONS requiring `esbuild-wasm-preload.js` (V8's baseline wasm
 * compiler only), then puts NODE_OPTIONS back. esbuild-wasm runs esbuild.wasm in a Node.js
 * process of its own, started by the first build from a worker thread that copies the
 * environment when it is created (and by every build when `ESBUILD_WORKER_THREADS=0`), so
 * setting it around each build reaches that process and nothing else the app starts later.
 */
function withBaselineWasmCompiler<T>(build: () => T): T {
  wasmPreload ??= fs.existsSync(WASM_PRELOAD) ? `--require "${WASM_PRELOAD.replace(/[\\"]/g, '\\$&')}"` : null;
  if (!wasmPreload) return build();
  const before = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = before ? `${before} ${wasmPreload}` : wasmPreload;
  try {
    return build();
  } finally {
    if (before === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = before;
  }
}

/**
 * esbuild's own failure: an error that carries the build messages. Checked by shape, not
 * `instanceof Error`: esbuild-wasm may create it in another realm.
 */
function isBuildFailure(error: unknown): error is { errors: Message[] } {
  return typeof error === 'object' && error !== null && Array.isArray((error as { errors?: unknown }).errors);
}

/**
 * Runs esbuild synchronously; a failure becomes an Error that names what was bundled (`what`,
 * with the user's entry) and gives esbuild's first messages with their file and line.
 *
 * @param missingDefaultExport the whole message when the generated entry finds no default
 * export to import: esbuild reports that against the generated file, which the user never
 * wrote, so the caller names the user's module and the fix instead
 */
export function buildOrThrow(what: string, options: BuildOptions, missingDefaultExport?: string): BuildResult {
  const { implementation, api } = loadEsbuild();
  try {
    return implementation === 'esbuild-wasm' ? withBaselineWasmCompiler(() => api.buildSync(options)) : api.buildSync(options);
  } catch (error) {
    if (!isBuildFailure(error)) throw error;
    if (missingDefaultExport && error.errors.some((message) => /^No matching export in ".*" for import "default"$/.test(message.text))) {
      throw new Error(missingDefaultExport);
    }
    const shown = 5;
    const lines = error.errors.slice(0, shown).map(formatMessage);
    const more = error.errors.length > shown ? [`... and ${error.errors.length - shown} more`] : [];
    throw new Error([`Bundling ${what} failed:`, ...lines, ...more].join('\n  '));
  }
}

function formatMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}:${message.location.column}: ` : '';
  return `${where}${message.text}`;
}

/** An absolute module path as a string literal for a generated entry, with forward slashes on every platform. */
export function importPath(modulePath: string): string {
  return JSON.stringify(modulePath.split(path.sep).join('/'));
}
