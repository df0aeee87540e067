import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { BuildOptions } from 'esbuild-wasm';
import { buildOrThrow, importPath } from './esbuild';
import { runtimeHandler, runtimeIndex } from './runtime-location';

/**
 * What a user's module defines, read from its own code at synth time: the runtime's
 * `describeDefinition` (lambda/handlers/definition-manifest.ts) of its default export.
 *
 * The module is bundled (with the runtime it imports) and evaluated in a fresh V8 context, so
 * the construct knows what each Lambda will load before it is deployed: a projection's rule
 * matches exactly the events it has handlers for, and a module given in the wrong place fails
 * synth instead of the first command. What the manifest means for each place is judged in
 * `../definition-checks.ts`.
 */

/** What the runtime says of a module's default export, and whether there is one. */
export interface ModuleManifest {
  /** `aggregate`, `projection`, `customProjection`, `queries`, `sqlProjection`, `sqlQueries`, or undefined for no definition. */
  readonly kind?: string;
  /** The default export in words (`defineProjection(...)`, or what it is instead). */
  readonly found: string;
  /** Projections: the event types they have handlers for, sorted. */
  readonly eventTypes: string[];
  /** Projections: the read-model indexes they fill, sorted. */
  readonly indexNames: string[];
  /** An aggregate's event types, or those of the aggregate a projection is defined on; sorted. */
  readonly aggregateEventTypes?: string[];
  /** Aggregates: the command types, sorted. */
  readonly commandTypes?: string[];
  /** Aggregates: the JSON Schema of each command payload whose schema gives one. */
  readonly commandJsonSchemas?: Readonly<Record<string, unknown>>;
  /** Projections: true when it has `readableBy`. */
  readonly readableOverHttp?: boolean;
  /** Queries: the query types, sorted. */
  readonly queryTypes?: string[];
  /** SQL projections: per aggregate name (a key of its `aggregates`), the event types it handles, sorted. */
  readonly sourceEventTypes?: Readonly<Record<string, string[]>>;
  /** False when the module has no default export: the fix is to add one, not to change it. */
  readonly hasDefaultExport: boolean;
}

/** Where a module is given, for the messages of a failure to read it. */
export interface ModuleSite {
  /** Absolute path of the module. */
  readonly entry: string;
  /** Starts each error, e.g. `CqrsAggregate 'Customers': projection 'CustomerView' (entry /app/customer-view.ts)`. */
  readonly prefix: string;
  /** Names the module in a bundling error (`Bundling <what> failed`), e.g. `the projection 'CustomerView' of /app/customer-view.ts`. */
  readonly what: string;
}

/** Bundled and evaluated once per module and runtime in a process: each synth of a test suite shares it. */
const cache = new Map<string, ModuleManifest>();
const keyOf = (entry: string): string => `${entry}\0${runtimeIndex()}`;

/** For tests only: how many bundles have been built to read modules. */
export const manifestBundles = { count: 0 };

/** The manifest of the module at `site.entry`; throws, with `site.prefix`, if it cannot be bundled or evaluated. */
export function readModuleManifest(site: ModuleSite): ModuleManifest {
  const key = keyOf(site.entry);
  let manifest = cache.get(key);
  if (!manifest) {
    [manifest] = bundleAndEvaluate([site.entry], site);
    cache.set(key, manifest);
  }
  // A copy: the cache's manifest is shared by every synth in the process.
  return JSON.parse(JSON.stringify(manifest)) as ModuleManifest;
}

/**
 * Reads the modules among `entries` that are not read yet in one bundle and one evaluation:
 * an aggregate's modules import one another and share the runtime and the libraries they use,
 * so one bundle of them all costs about what one of them costs alone, and an aggregate's own
 * module costs next to nothing once a projection has it. If anything fails, nothing is cached:
 * `readModuleManifest` then reads each module alone, and its error names that module (a module
 * evaluated after a failing one may have seen it half loaded, so its manifest is not trusted).
 */
export function prefetchModuleManifests(entries: string[]): void {
  const unread = [...new Set(entries)].filter((entry) => !cache.has(keyOf(entry)));
  // A single module is read by `readModuleManifest` at the same cost, with its site's messages.
  if (unread.length < 2) return;
  let manifests: ModuleManifest[];
  try {
    manifests = bundleAndEvaluate(unread, { what: `the modules ${unread.join(', ')}`, prefix: `Reading the modules ${unread.join(', ')}` });
  } catch {
    return;
  }
  unread.forEach((entry, index) => cache.set(keyOf(entry), manifests[index]));
}

/** Bundles the modules with the runtime's `describeDefinition`, evaluates the bundle, and returns their manifests in order. */
function bundleAndEvaluate(entries: string[], site: Pick<ModuleSite, 'what' | 'prefix'>): ModuleManifest[] {
  const contents = [
    // Namespace imports: a module with no default export is then a finding to explain in the
    // user's terms, not esbuild's error against this generated file.
    ...entries.map((entry, index) => `import * as definitions${index} from ${importPath(entry)};`),
    `import { describeDefinition } from ${importPath(runtimeHandler('definition-manifest'))};`,
    'const read = (definitions) => ({ ...describeDefinition(definitions.default), hasDefaultExport: definitions.default !== undefined });',
    `export const manifests = [${entries.map((_entry, index) => `read(definitions${index})`).join(', ')}];`,
  ].join('\n');
  const options: BuildOptions = {
    stdin: { contents, resolveDir: path.dirname(entries[0]), sourcefile: 'cdk-cqrs-manifest.ts', loader: 'ts' },
    bundle: true,
    write: false,
    platform: 'node',
    // The modules run here, in the synth's own Node.js (package.json: engines >= 20).
    target: 'node20',
    format: 'cjs',
    // buildSync takes no plugins, so `@aws-sdk/*` stays a require() that `evaluate` answers
    // with a stub: the SDK is not needed to read a definition, and may not be installed.
    external: ['@aws-sdk/*'],
    alias: { 'cdk-cqrs/runtime': runtimeIndex() },
    logLevel: 'silent',
  };
  manifestBundles.count++;
  const result = buildOrThrow(site.what, options);
  return evaluate(site.prefix, result.outputFiles![0].text);
}

/** Runs the bundle in a new context and returns the manifests it exports. */
function evaluate(prefix: string, code: string): ModuleManifest[] {
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
    vm.runInNewContext(code, sandbox, { filename: 'cdk-cqrs-manifest.js' });
  } catch (error) {
    throw new Error(`${prefix}: evaluating the module to read its definition failed: ${messageOf(error)}`);
  }
  // JSON round trip: the manifests' arrays come from another V8 context.
  return JSON.parse(JSON.stringify((module.exports as { manifests: ModuleManifest[] }).manifests)) as ModuleManifest[];
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
