import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { BuildOptions } from 'esbuild-wasm';
import { buildOrThrow, importPath } from './esbuild';
import { runtimeHandler, runtimeIndex } from './runtime-location';

/**
 * The event types a projection handles, read from its own code at synth time: the keys of the
 * `events` of its module's default export (`defineProjection(aggregate, { events })`).
 *
 * The module is bundled (with the runtime it imports) and evaluated in a fresh V8 context, so
 * its rule on the bus matches exactly the events it has handlers for: there is no second list
 * to keep in step with the code.
 */

/** What the construct needs to know of a projection module. */
export interface ProjectionManifest {
  /** `projection` for `defineProjection(...)`; `customProjection` for `defineCustomProjection(...)`, whose handlers write the read model themselves. */
  readonly kind: 'projection' | 'customProjection';
  /** The event types it has handlers for, sorted. */
  readonly eventTypes: string[];
  /** The read-model indexes it fills (its `indexes`), sorted. */
  readonly indexNames: string[];
}

/** What the runtime's `describeDefinition` (lambda/handlers/definition-manifest.ts) returns. */
interface RuntimeManifest {
  readonly kind?: string;
  readonly found: string;
  readonly eventTypes: string[];
  readonly indexNames: string[];
}

/** Bundled and evaluated once per module and runtime in a process: each synth of a test suite shares it. */
const cache = new Map<string, ProjectionManifest>();

/** Where a projection is declared, for error messages. */
export interface ProjectionSite {
  /** For example `CqrsAggregate 'Customers'`. */
  readonly where: string;
  readonly projectionName: string;
  /** Absolute path of the projection module. */
  readonly entry: string;
}

/** The manifest of the projection module at `site.entry`; throws if it does not define a projection. */
export function readProjectionManifest(site: ProjectionSite): ProjectionManifest {
  const key = `${site.entry}\0${runtimeIndex()}`;
  let manifest = cache.get(key);
  if (!manifest) {
    manifest = readManifest(site);
    cache.set(key, manifest);
  }
  return { kind: manifest.kind, eventTypes: [...manifest.eventTypes], indexNames: [...manifest.indexNames] };
}

function readManifest(site: ProjectionSite): ProjectionManifest {
  const prefix = `${site.where}: projection '${site.projectionName}' (entry ${site.entry})`;
  const manifest = evaluate(prefix, bundle(site));
  if (manifest.kind !== 'projection' && manifest.kind !== 'customProjection') {
    throw new Error(`${prefix}: the module's default export must be defineProjection(...) or defineCustomProjection(...); it is ${manifest.found}.`);
  }
  if (manifest.eventTypes.length === 0) {
    throw new Error(`${prefix}: the module's default export must be ${manifest.found} with at least one event in its events.`);
  }
  return { kind: manifest.kind, eventTypes: manifest.eventTypes, indexNames: manifest.indexNames };
}

/** The user's module and the runtime's `describeDefinition`, in one bundle whose export is the manifest. */
function bundle(site: ProjectionSite): string {
  const contents = [
    `import definition from ${importPath(site.entry)};`,
    `import { describeDefinition } from ${importPath(runtimeHandler('definition-manifest'))};`,
    'export const manifest = describeDefinition(definition);',
  ].join('\n');
  const options: BuildOptions = {
    stdin: { contents, resolveDir: path.dirname(site.entry), sourcefile: 'cdk-cqrs-manifest.ts', loader: 'ts' },
    bundle: true,
    write: false,
    platform: 'node',
    // The module runs here, in the synth's own Node.js (package.json: engines >= 20).
    target: 'node20',
    format: 'cjs',
    // buildSync takes no plugins, so `@aws-sdk/*` stays a require() that `evaluate` answers
    // with a stub: the SDK is not needed to read a definition, and may not be installed.
    external: ['@aws-sdk/*'],
    alias: { 'cdk-cqrs/runtime': runtimeIndex() },
    logLevel: 'silent',
  };
  const result = buildOrThrow(`the projection '${site.projectionName}' of ${site.entry}`, options);
  return result.outputFiles![0].text;
}

/** Runs the bundle in a new context and returns the manifest it exports. */
function evaluate(prefix: string, code: string): RuntimeManifest {
  const module = { exports: {} as Record<string, unknown> };
  const sandbox = {
    module,
    exports: module.exports,
    require: requireForDefinitions(prefix),
    console,
    process: { env: {} },
    TextEncoder,
    TextDecoder,
    URL,
  };
  try {
    vm.runInNewContext(code, sandbox, { filename: 'cdk-cqrs-projection-manifest.js' });
  } catch (error) {
    throw new Error(`${prefix}: evaluating the module to read its event types failed: ${messageOf(error)}`);
  }
  // JSON round trip: the manifest's arrays come from another V8 context.
  return JSON.parse(JSON.stringify((module.exports as { manifest: RuntimeManifest }).manifest)) as RuntimeManifest;
}

/** Node.js built-ins, and a stub for `@aws-sdk/*`; anything else was bundled, or is an error. */
function requireForDefinitions(prefix: string): (id: string) => unknown {
  return (id: string) => {
    if (id.startsWith('@aws-sdk/')) return awsSdkStub();
    if (isBuiltin(id)) return require(id);
    throw new Error(`${prefix}: the module requires '${id}' at load time, which was not bundled.`);
  };
}

/**
 * Stands for any `@aws-sdk/*` module: every export is a class that can be constructed, called
 * and read from, so that a client created at a module's top level (`new DynamoDBClient({})`,
 * `DynamoDBDocumentClient.from(...)`) loads without the SDK.
 */
function awsSdkStub(): unknown {
  const target = function stub() { /* stands for any SDK export */ };
  const stub: unknown = new Proxy(target, {
    get: (_target, property) => (property === 'then' || typeof property === 'symbol' ? undefined : stub),
    apply: () => stub,
    construct: () => stub as object,
  });
  return stub;
}

function messageOf(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
    ? (error as { message: string }).message
    : String(error);
}
