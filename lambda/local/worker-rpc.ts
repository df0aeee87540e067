import { Worker } from 'node:worker_threads';

/**
 * A worker thread that answers messages, one answer per message: `{ id, ...message }` in,
 * `{ id, ok, value }` or `{ id, ok: false, error: { message, code } }` out.
 *
 * Local runs load some packages in a worker of their own: an ES module (jose), or one that
 * imports modules dynamically (PGlite). Node's `require` loads them, but a test runner's own
 * module system may not: jest's refuses them unless Node runs with --experimental-vm-modules, and
 * answers `createRequire` with its own loader too. A worker loads modules with Node's, whatever
 * runs the test, as the function hosts do. The worker holds the process open only while a call is
 * pending.
 */
export class WorkerRpc {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  /** `source` is CommonJS run with `eval`; it gets `workerData` as given here. */
  constructor(what: string, source: string, workerData: unknown) {
    this.worker = new Worker(source, { eval: true, workerData });
    this.worker.on('message', ({ id, ok, value, error }: { id: number; ok: boolean; value?: unknown; error?: { message?: string; code?: unknown } }) => {
      const call = this.pending.get(id);
      this.pending.delete(id);
      if (this.pending.size === 0) this.worker.unref();
      if (ok) call?.resolve(value);
      else call?.reject(Object.assign(new Error(error?.message ?? 'unknown error'), error?.code === undefined ? {} : { code: error.code }));
    });
    const failAll = (error: Error) => {
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', failAll);
    this.worker.on('exit', (code) => failAll(new Error(`${what}'s worker exited with code ${code}`)));
    this.worker.unref();
  }

  call(message: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, ...message });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
