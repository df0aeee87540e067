import { setFlagsFromString } from 'node:v8';

// Required (`node --require`) into the Node.js process that esbuild-wasm starts to run
// esbuild.wasm, before the wasm is compiled: see `withBaselineWasmCompiler` in ./esbuild.ts.
// V8's optimizing tier (TurboFan) compiles esbuild's largest functions again and again during
// a synth's short builds, which cost 3 to 10 times what they do on the baseline compiler
// (Liftoff) alone; a synth never runs long enough for the optimized code to pay back.
setFlagsFromString('--liftoff-only');
