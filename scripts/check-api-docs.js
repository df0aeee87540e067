#!/usr/bin/env node
// Fails when API.md differs from what jsii-docgen generates from the compiled .jsii: API.md is never edited by hand.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const generated = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'api-md-')), 'API.md');
execFileSync(process.execPath, [require.resolve('jsii-docgen/bin/jsii-docgen'), '-o', generated], { cwd: root, stdio: 'inherit' });
const committed = path.join(root, 'API.md');
const current = fs.existsSync(committed) ? fs.readFileSync(committed, 'utf8') : '';
if (fs.readFileSync(generated, 'utf8') !== current) {
  console.error('API.md is stale: it differs from what jsii-docgen generates. Run `npm run build && npm run docgen` and commit API.md.');
  process.exit(1);
}
console.log('API.md matches the code.');
