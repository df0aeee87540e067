/**
 * The lint rules of eslint.config.mjs report what they are there for: an import cycle (also through a
 * type-only import) and an import against the runtime's layer rule. Each case fails if its rule is
 * removed from the config.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');

interface LintMessage {
  readonly ruleId: string | null;
  readonly message: string;
  readonly line: number;
}

interface LintJob {
  readonly texts: readonly { readonly code: string; readonly filePath: string }[];
  readonly files: readonly string[];
}

/** Lints in a Node child process (see eslint-runner.mjs); returns the messages by file path. */
function lint(job: LintJob): Map<string, readonly LintMessage[]> {
  const run = spawnSync(process.execPath, [path.join(__dirname, 'eslint-runner.mjs')], {
    cwd: root,
    input: JSON.stringify({ cwd: root, ...job }),
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`eslint-runner.mjs exited with ${run.status}: ${run.stderr}`);
  const results = JSON.parse(run.stdout) as { filePath: string; messages: LintMessage[] }[];
  return new Map(results.map((result) => [result.filePath, result.messages]));
}

const byRule = (messages: readonly LintMessage[] | undefined, ruleId: string) => (messages ?? []).filter((message) => message.ruleId === ruleId);

/** Some module of a layer of the runtime, without its extension (whichever exists when the test runs). */
function someModuleOf(layer: string): string {
  const file = fs.readdirSync(path.join(root, 'lambda', layer)).find((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'));
  if (!file) throw new Error(`no module in lambda/${layer}`);
  return file.replace(/\.ts$/, '');
}

describe('eslint.config.mjs', () => {
  // Files on disk, for the cycle rule to follow; in a folder that `npm run lint` ignores, removed afterwards.
  let probeDir: string;
  let messages: Map<string, readonly LintMessage[]>;
  // Layer cases are linted as text under their layer's folder: nothing is written into lambda/ or lib/.
  const inLayer = (layer: string, name: string) => path.join(root, 'lambda', layer, `${name}.lint-probe.ts`);
  const storeImportsWrite = inLayer('store', 'value');
  const storeImportsWriteType = inLayer('store', 'type');
  const writeImportsStore = inLayer('write', 'allowed');
  const libImportsLambda = path.join(root, 'lib', 'lint-probe.ts');

  beforeAll(() => {
    probeDir = fs.mkdtempSync(path.join(__dirname, '.lint-probe-'));
    const write = (name: string, code: string) => fs.writeFileSync(path.join(probeDir, name), code);
    write('a.ts', "import { b } from './b';\n\nexport const a = (): number => b() + 1;\n");
    write('b.ts', "import { a } from './a';\n\nexport const b = (): number => a() - 1;\n");
    write('c.ts', "import type { D } from './d';\n\nexport interface C {\n  readonly d?: D;\n}\n");
    write('d.ts', "import type { C } from './c';\n\nexport interface D {\n  readonly c?: C;\n}\n");

    const writeModule = someModuleOf('write');
    messages = lint({
      files: [path.join(probeDir, 'a.ts'), path.join(probeDir, 'c.ts')],
      texts: [
        { filePath: storeImportsWrite, code: `import * as write from '../write/${writeModule}';\n\nexport const probe = write;\n` },
        { filePath: storeImportsWriteType, code: `import type * as write from '../write/${writeModule}';\n\nexport type Probe = typeof write;\n` },
        { filePath: writeImportsStore, code: `import * as store from '../store/${someModuleOf('store')}';\n\nexport const probe = store;\n` },
        { filePath: libImportsLambda, code: `import * as shared from '../lambda/shared/${someModuleOf('shared')}';\n\nexport const probe = shared;\n` },
      ],
    });
  });

  afterAll(() => {
    if (probeDir) fs.rmSync(probeDir, { recursive: true, force: true });
  });

  test('import-x/no-cycle reports two modules that import each other', () => {
    expect(byRule(messages.get(path.join(probeDir, 'a.ts')), 'import-x/no-cycle')).toEqual([
      expect.objectContaining({ line: 1, message: expect.stringMatching(/^Dependency cycle/) }),
    ]);
  });

  test('import-x/no-cycle counts type-only imports', () => {
    expect(byRule(messages.get(path.join(probeDir, 'c.ts')), 'import-x/no-cycle')).toEqual([
      expect.objectContaining({ line: 1, message: expect.stringMatching(/^Dependency cycle/) }),
    ]);
  });

  test('the layer rule reports lambda/store importing lambda/write', () => {
    expect(byRule(messages.get(storeImportsWrite), 'boundaries/dependencies')).toEqual([
      expect.objectContaining({ line: 1, message: expect.stringContaining('lambda/store may not import lambda/write (lambda/write/') }),
    ]);
  });

  test('the layer rule counts type-only imports', () => {
    expect(byRule(messages.get(storeImportsWriteType), 'boundaries/dependencies')).toEqual([
      expect.objectContaining({ line: 1, message: expect.stringContaining('lambda/store may not import lambda/write') }),
    ]);
  });

  test('the layer rule lets lambda/write import lambda/store', () => {
    expect(messages.get(writeImportsStore)).toEqual([]);
  });

  test('lib/ may not import lambda/', () => {
    expect(byRule(messages.get(libImportsLambda), 'boundaries/dependencies')).toEqual([
      expect.objectContaining({ line: 1, message: expect.stringContaining('lib may not import lambda/shared') }),
    ]);
  });
});
