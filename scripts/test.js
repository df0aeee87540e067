#!/usr/bin/env node
// `npm test`: type-check, lint, build (runtime and jsii), check API.md, then run every test on Node.js 24.
// Extra arguments go to jest, e.g. `npm test -- test/lib`.
'use strict';
const path = require('node:path');
const { runStep } = require('./run-step');
const { testNode } = require('./test-node');

const root = path.join(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const options = { cwd: root };

runStep('Type-check (lib, lambda, tests, type tests, example app)', bin('tsc'), ['-p', 'tsconfig.json'], options);
runStep('Lint (import cycles, layer rule, typescript-eslint recommended)', bin('eslint'), ['.'], options);
runStep('Build the runtime (lambda/)', bin('tsc'), ['-p', 'tsconfig.lambda.json'], options);
runStep('Build the constructs with jsii (lib/)', bin('jsii'), ['--silence-warnings=reserved-word'], options);
runStep('Check that API.md is up to date', process.execPath, [path.join(__dirname, 'check-api-docs.js')], options);
runStep('Fetch DynamoDB Local (once, into .cache/)', bin('tsx'), [path.join(__dirname, 'fetch-dynamodb-local.ts')], options);
const node = testNode();
const version = require('node:child_process').execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
runStep(`Run the tests (jest, on Node.js ${version}: the functions' runtime)`, node, [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', ...process.argv.slice(2)], options);
