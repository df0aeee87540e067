// Runs ESLint's Node API with the project's eslint.config.mjs, for test/lint/lint-rules.test.ts.
// Jest cannot load the config (an ES module) inside its VM, so the test runs this in a Node child process.
// Reads { texts: [{ code, filePath }], files: [path] } on stdin; writes [{ filePath, messages }] on stdout.
import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';

const job = JSON.parse(readFileSync(0, 'utf8'));
// `ignore: false`: the probe files the test writes are in a folder that `npm run lint` ignores.
const eslint = new ESLint({ cwd: job.cwd, ignore: false });
const results = [];
for (const { code, filePath } of job.texts) results.push(...(await eslint.lintText(code, { filePath })));
if (job.files.length > 0) results.push(...(await eslint.lintFiles(job.files)));
const messages = results.map(({ filePath, messages }) => ({
  filePath,
  messages: messages.map(({ ruleId, message, line }) => ({ ruleId, message, line })),
}));
process.stdout.write(JSON.stringify(messages));
