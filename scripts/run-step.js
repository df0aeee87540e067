'use strict';
const { spawnSync } = require('node:child_process');

/** Runs one named step of a script, printing its name and duration; exits on failure. */
function runStep(name, command, args, options = {}) {
  const started = Date.now();
  process.stdout.write(`\n▶ ${name}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32', ...options });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    process.stdout.write(`✖ ${name} failed after ${seconds} s\n`);
    process.exit(result.status ?? 1);
  }
  process.stdout.write(`✔ ${name} (${seconds} s)\n`);
}

module.exports = { runStep };
