/**
 * A CDK app to synthesize: an `App`, or any `Stage`. Typed by the one method used, so that the
 * runtime needs no aws-cdk-lib at run time.
 */
export interface SynthesizableApp {
  synth(): { readonly directory: string };
}

/** The line aws-cdk-lib's AssetStaging writes to stderr before each local bundling; it has no setting to turn it off. */
const BUNDLING_LINE = 'Bundling asset ';

/**
 * Builds and synthesizes an app with the "Bundling asset ..." lines left out of
 * `process.stderr`, so that a test's output shows only what the test says; everything else
 * written meanwhile goes through. The writer is put back however it ends.
 *
 * aws-cdk-lib bundles a function's code when the function is constructed, not at synth: only
 * an app built inside (`app` a function that builds it) is quiet throughout.
 */
export function synthQuietly(app: SynthesizableApp | (() => SynthesizableApp)): { readonly directory: string } {
  const stderr = process.stderr;
  const write = stderr.write;
  stderr.write = function writeUnlessBundling(this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : '';
    if (!text.startsWith(BUNDLING_LINE)) return (write as (...args: unknown[]) => boolean).call(stderr, chunk, ...rest);
    // A dropped write still calls back, as a written one would.
    const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
    if (callback) process.nextTick(callback);
    return true;
  } as typeof stderr.write;
  try {
    return (typeof app === 'function' ? app() : app).synth();
  } finally {
    stderr.write = write;
  }
}
