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
parentPort.on('message', async ({ id, event, warm }) => {
  try {
    handler ??= require(workerData.file)[workerData.exportName];
    if (typeof handler !== 'function') throw new Error(workerData.file + ' exports no function ' + workerData.exportName);
    // A warm-up loads the bundle (Lambda's init) and runs no handler.
    if (warm) { parentPort.postMessage({ id, ok: true, result: null }); return; }
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
  private worker?: Worker;
  private nextId = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** Invocations sent and not answered yet, with the worker that has each. */
  private readonly pending = new Map<number, { readonly resolve: (answer: Invocation) => void; readonly worker: Worker }>();

  constructor(public readonly settings: FunctionHostSettings) {}

  /** Invokes the function with an event (a JSON value) and waits for its answer; invocations queue up, as in one container. */
  invoke(event: unknown): Promise<Invocation> {
    return this.send({ event });
  }

  /**
   * Starts the container and loads the bundle (Lambda's init) without running the handler, so the
   * first invocation does not pay for it. A bundle that fails to load is not reported here: it
   * fails its first invocation, as in Lambda, where init runs on the first invocation.
   */
  async warm(): Promise<void> {
    await this.send({ warm: true });
  }

  private send(message: { readonly event?: unknown; readonly warm?: boolean }): Promise<Invocation> {
    const run = () => new Promise<Invocation>((resolve) => {
      if (this.stopped) {
        resolve({ ok: false, error: { errorType: 'Error', errorMessage: `cdk-cqrs local: function ${this.settings.name} was stopped before this invocation ran.` } });
        return;
      }
      const id = this.nextId++;
      const worker = this.worker ??= this.startWorker();
      // As in Lambda, an invocation that outlives the function's timeout fails and its container is
      // ended, so a handler that never returns fails a local run instead of hanging it.
      const timer = setTimeout(() => this.timeOut(id, worker), this.settings.timeoutSeconds * 1000);
      this.pending.set(id, { resolve: (answer) => { clearTimeout(timer); resolve(answer); }, worker });
      worker.ref();
      worker.postMessage({ id, ...message });
    }).finally(() => {
      if (this.pending.size === 0) this.worker?.unref();
    });
    const answer = this.queue.then(run, run);
    this.queue = answer;
    return answer;
  }

  /** Ends the container; invocations queued behind the running one fail instead of starting another. */
  async stop(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  /** A new container: the bundle is loaded on its first invocation. */
  private startWorker(): Worker {
    const [file, exportName] = splitHandler(this.settings.handler);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: { ...this.settings.environment },
      workerData: {
        file: path.join(this.settings.codeDirectory, file), exportName, name: this.settings.name,
        timeoutMs: this.settings.timeoutSeconds * 1000, providedModulesFrom: this.settings.providedModulesFrom,
      },
    });
    worker.on('message', ({ id, ...answer }: { id: number } & Invocation) => {
      this.pending.get(id)?.resolve(answer as Invocation);
      this.pending.delete(id);
    });
    // A crash (an unhandled rejection, say) ends the container, as in Lambda: its invocation
    // fails, and the next one starts a new container.
    const end = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(worker, error);
    };
    worker.on('error', end);
    worker.on('exit', (code) => end(new Error(`the function's worker exited with code ${code}`)));
    // Let the process exit while a host is idle; stop() ends it for good.
    worker.unref();
    return worker;
  }

  private timeOut(id: number, worker: Worker): void {
    const sent = this.pending.get(id);
    if (!sent) return;
    this.pending.delete(id);
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
    sent.resolve({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${this.settings.timeoutSeconds.toFixed(2)} seconds` } });
  }

  /** Fails the invocations a worker had when it ended. */
  private failAll(worker: Worker, error: Error): void {
    for (const [id, sent] of this.pending) {
      if (sent.worker !== worker) continue;
      sent.resolve({ ok: false, error: { errorType: error.name, errorMessage: error.message, stack: error.stack } });
      this.pending.delete(id);
    }
  }
}

function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`cdk-cqrs local: handler '${handler}' is not <file>.<export>.`);
  return [`${handler.slice(0, dot)}.js`, handler.slice(dot + 1)];
}
