#!/usr/bin/env node
// Removes what the builds leave beside the sources (jsii and tsc compile in place).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
function removeCompiled(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) removeCompiled(full);
    else if (entry.name.endsWith('.js') || entry.name.endsWith('.d.ts')) fs.rmSync(full);
  }
}
for (const dir of ['lib', 'lambda']) removeCompiled(path.join(root, dir));
for (const file of ['.jsii', 'tsconfig.tsbuildinfo', 'tsconfig.jsii.tsbuildinfo']) fs.rmSync(path.join(root, file), { force: true });
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
