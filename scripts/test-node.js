'use strict';
// The Node.js the tests run on: 24, the functions' runtime in Lambda. When the machine's Node.js
// is older, the official binary is fetched once from the npm registry (the node-<platform>-<arch>
// package brings it, no other download) into .cache/, as DynamoDB Local is.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const MAJOR = 24;
/** Pinned, so every run tests on the same binary; raise it with the Lambda runtime's. */
const VERSION = '24.22.3';
const root = path.join(__dirname, '..');

function packageName() {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  return `node-${platform}-${process.arch}`;
}

/** The path of a Node.js 24 binary: this one if it is 24 or later, else the fetched one. */
function testNode(log = (line) => process.stderr.write(`${line}\n`)) {
  if (Number(process.versions.node.split('.')[0]) >= MAJOR) return process.execPath;
  const directory = path.join(root, '.cache', `node-${VERSION}`);
  const binary = path.join(directory, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (fs.existsSync(binary)) return binary;
  const name = `${packageName()}@${VERSION}`;
  log(`Fetching Node.js ${VERSION} (${name}) into ${path.relative(root, directory)} ...`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'node-bin-'));
  try {
    const tarball = execFileSync('npm', ['pack', name, '--silent', '--pack-destination', work], { encoding: 'utf8', shell: process.platform === 'win32' })
      .trim().split('\n').pop();
    execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', work]);
    // Only the binary is kept: the package also holds headers and docs (190 MB in all).
    fs.rmSync(directory, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    fs.renameSync(path.join(work, 'package', path.relative(directory, binary)), binary);
  } catch (error) {
    throw new Error(`Could not fetch Node.js ${VERSION} as the npm package ${name} (${error.message}). Install Node.js ${MAJOR} and run the tests with it.`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (!fs.existsSync(binary)) throw new Error(`${name} holds no ${path.relative(directory, binary)}; its layout changed.`);
  return binary;
}

module.exports = { testNode };

if (require.main === module) process.stdout.write(`${testNode()}\n`);
