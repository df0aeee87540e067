import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/** What a function answered: its result, or the error it threw (as Lambda reports it). */
export type Invocation =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly errorType: string; readonly errorMessage: string; readonly stack?: string } };

export interface FunctionHostSettings {
  /** Shown in errors and traces. */
  readonly name: string;
  readonly codeDirectory: string;
  /** `file.export`, as Lambda's `Handler`. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  /** The function's whole environment. */
  readonly environment: Readonly<Record<string, string>>;
  /** Where `@aws-sdk/*` packages are resolved from when the bundle's folder has none (Lambda provides them). */
  readonly providedModulesFrom: string;
}

// Runs in the worker: loads the bundle once (a warm container), then answers one invocation per message.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Module = require('node:module');
const { pathToFileURL } = require('node:url');
// Lambda's Node.js runtime provides the AWS SDK v3, so bundles leave it out: take it from the app,
// for require() and for import() alike.
const fromApp = Module.createRequire(workerData.providedModulesFrom + '/');
const resolve = Module._resolveFilename;
let inFallback = false;
Module._resolveFilename = function (request, ...rest) {
  if (!request.startsWith('@aws-sdk/') || inFallback) return resolve.call(this, request, ...rest);
  try { return resolve.call(this, request, ...rest); } catch {}
  inFallback = true;
  try {
    return fromApp.resolve(request);
  } catch {
    throw new Error('cdk-cqrs local: ' + request + ' is not installed in ' + workerData.providedModulesFrom +
      '. Lambda provides the AWS SDK; locally it comes from your app: add it to your devDependencies (or set awsSdkFrom).');
  } finally {
    inFallback = false;
  }
};
const appUrl = JSON.stringify(pathToFileURL(workerData.providedModulesFrom + '/').href);
Module.register('data:text/javascript,' + encodeURIComponent(
  'export async function resolve(specifier, context, next) {' +
  '  try { return await next(specifier, context); } catch (error) {' +
  '    if (specifier.startsWith("@aws-sdk/")) return next(specifier, { ...context, parentURL: ' + appUrl + ' });' +
  '    throw error; } }'));
let handler;
parentPort.on('message', async ({ id, event }) => {
  try {
    handler ??= require(workerData.file)[workerData.exportName];
    if (typeof handler !== 'function') throw new Error(workerData.file + ' exports no function ' + workerData.exportName);
    const deadline = Date.now() + workerData.timeoutMs;
    const context = {
      functionName: workerData.name, awsRequestId: String(id), memoryLimitInMB: '128',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    const result = await handler(event, context);
    parentPort.postMessage({ id, ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    parentPort.postMessage({ id, ok: false, error: { errorType: e.name, errorMessage: e.message, stack: e.stack } });
  }
});
`;

/**
 * One function's bundled code in a worker thread of its own: its own environment, its own module
 * state (so a warm cache behaves as in one Lambda container), one invocation at a time.
 */
export class FunctionHost {
  private readonly worker: Worker;
  private nextId = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pending = new Map<number, (answer: Invocation) => void>();

  constructor(public readonly settings: FunctionHostSettings) {
    const [file, exportName] = splitHandler(settings.handler);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: { ...settings.environment },
      workerData: {
        file: path.join(settings.codeDirectory, file), exportName, name: settings.name,
        timeoutMs: settings.timeoutSeconds * 1000, providedModulesFrom: settings.providedModulesFrom,
      },
    });
    this.worker.on('message', ({ id, ...answer }: { id: number } & Invocation) => {
      this.pending.get(id)?.(answer as Invocation);
      this.pending.delete(id);
    });
    this.worker.on('error', (error) => this.failAll(error));
    // Let the process exit while a host is idle; stop() ends it for good.
    this.worker.unref();
  }

  /** Invokes the function with an event (a JSON value) and waits for its answer; invocations queue up, as in one container. */
  invoke(event: unknown): Promise<Invocation> {
    const run = () => new Promise<Invocation>((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      this.worker.ref();
      this.worker.postMessage({ id, event });
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    });
    const answer = this.queue.then(run, run);
    this.queue = answer;
    return answer;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const resolve of this.pending.values()) resolve({ ok: false, error: { errorType: error.name, errorMessage: error.message, stack: error.stack } });
    this.pending.clear();
  }
}

function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`cdk-cqrs local: handler '${handler}' is not <file>.<export>.`);
  return [`${handler.slice(0, dot)}.js`, handler.slice(dot + 1)];
}
