#!/usr/bin/env node
// Fetches AWS's DynamoDB Local from the npm package that ships it (its licence forbids
// redistribution: we fetch, never commit). Prints the folder that holds DynamoDBLocal.jar.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const cacheDir = process.env.DYNAMODB_LOCAL_DIR ?? path.join(__dirname, '..', '.cache', 'dynamodb-local');

function fetchDynamoDbLocal() {
  const jar = path.join(cacheDir, 'DynamoDBLocal.jar');
  if (fs.existsSync(jar)) return cacheDir;
  process.stderr.write(`Fetching DynamoDB Local (${PACKAGE}) into ${path.relative(process.cwd(), cacheDir)} ...\n`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ddb-local-'));
  try {
    const tarball = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', work], { encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', work, 'package/emulator']);
    fs.mkdirSync(path.dirname(cacheDir), { recursive: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.renameSync(path.join(work, 'package', 'emulator'), cacheDir);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (!fs.existsSync(jar)) throw new Error(`DynamoDBLocal.jar not found in ${PACKAGE}; the package layout changed.`);
  return cacheDir;
}

module.exports = { fetchDynamoDbLocal };
if (require.main === module) process.stdout.write(fetchDynamoDbLocal() + '\n');
