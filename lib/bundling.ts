import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BuildOptions } from 'esbuild-wasm';
import { buildOrThrow } from './private/esbuild';
import { runtimeHandler, runtimeIndex } from './private/runtime-location';

/** The Node.js runtime of every function, and the esbuild target that matches it. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
const ESBUILD_TARGET = 'node24';

/** The file each bundle is written to, and the handler Lambda calls in it. */
const BUNDLE_FILE = 'index.js';
export const BUNDLE_HANDLER = 'index.handler';

/**
 * The code of the command handler: a generated entry that imports the user's aggregate module
 * (its default export is `defineAggregate(...)`) and hands it to the runtime's
 * `createCommandHandler`.
 *
 * @param entry absolute path of the user's aggregate module; it must exist
 */
export function commandHandlerCode(entry: string): lambda.Code {
  const wrapper = [
    `import aggregate from ${importPath(entry)};`,
    `import { createCommandHandler } from ${importPath(runtimeHandler('command-handler'))};`,
    'export const handler = createCommandHandler(aggregate);',
  ].join('\n');
  return bundledCode(`the command handler of ${entry}`, path.dirname(entry), wrapper);
}

/**
 * The code of a projector: a generated entry that imports the user's projection module (its
 * default export is `defineProjection(...)`) and hands it to the runtime's `createProjector`.
 *
 * @param entry absolute path of the user's projection module; it must exist
 */
export function projectorCode(entry: string): lambda.Code {
  const wrapper = [
    `import projection from ${importPath(entry)};`,
    `import { createProjector } from ${importPath(runtimeHandler('projector'))};`,
    'export const handler = createProjector(projection);',
  ].join('\n');
  return bundledCode(`the projector of ${entry}`, path.dirname(entry), wrapper);
}

/**
 * The code of the query function: a generated entry that imports the user's queries module
 * (its default export is `defineQueries(...)`) and hands it to the runtime's `createQueryHandler`.
 *
 * @param entry absolute path of the user's queries module; it must exist
 */
export function queryHandlerCode(entry: string): lambda.Code {
  const wrapper = [
    `import queries from ${importPath(entry)};`,
    `import { createQueryHandler } from ${importPath(runtimeHandler('query-handler'))};`,
    'export const handler = createQueryHandler(queries);',
  ].join('\n');
  return bundledCode(`the query function of ${entry}`, path.dirname(entry), wrapper);
}

/** The code of the outbox publisher: the runtime's `handlers/publisher` module as it is. */
export function publisherCode(): lambda.Code {
  const publisher = runtimeHandler('publisher');
  const wrapper = `export { handler } from ${importPath(publisher)};`;
  return bundledCode(`the publisher (${publisher})`, path.dirname(publisher), wrapper);
}

/** An absolute module path as a string literal, with forward slashes on every platform. */
function importPath(modulePath: string): string {
  return JSON.stringify(modulePath.split(path.sep).join('/'));
}

function bundledCode(what: string, resolveDir: string, contents: string): lambda.Code {
  const options: BuildOptions = {
    stdin: { contents, resolveDir, sourcefile: 'cdk-cqrs-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    format: 'cjs',
    minify: true,
    // The Node.js 24 Lambda runtime provides AWS SDK v3: leaving it out keeps bundles small
    // and cold starts fast.
    external: ['@aws-sdk/*'],
    // The user's `import ... from 'cdk-cqrs/runtime'` resolves to the very runtime copy the
    // wrapper imports, wherever (and whether) the app installed cdk-cqrs.
    alias: { 'cdk-cqrs/runtime': runtimeIndex() },
    logLevel: 'silent',
  };
  return lambda.Code.fromAsset(resolveDir, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type; never used while the local bundler succeeds (and it either
      // succeeds or throws), so synth needs no Docker engine.
      image: FUNCTION_RUNTIME.bundlingImage,
      local: new EsbuildBundling(what, options),
    },
  });
}

/**
 * Bundles with esbuild in this process. Its fields are part of the asset cache key that CDK
 * derives from the bundling options, so two different entries never share a bundle.
 */
class EsbuildBundling implements ILocalBundling {
  constructor(public readonly what: string, public readonly options: BuildOptions) {}

  public tryBundle(outputDir: string): boolean {
    fs.mkdirSync(outputDir, { recursive: true });
    buildOrThrow(this.what, { ...this.options, outfile: path.join(outputDir, BUNDLE_FILE) });
    return true;
  }
}
