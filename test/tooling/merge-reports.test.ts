import { mergeReports, type Report } from '../../scripts/stryker/merge-reports';

// Two runs of parts: each numbers its tests from 0, so the same ids name other tests.
const source = (body: string) => `describe('x', () => {\n  test('a', () => {\n    ${body}\n  });\n  test('b', () => {\n    expect(2).toBe(2);\n  });\n});\n`;
const testFile = (body: string, ids: [string, string]) => ({
  source: source(body),
  tests: [{ id: ids[0], name: 'x a', location: { start: { line: 2 } } }, { id: ids[1], name: 'x b', location: { start: { line: 5 } } }],
});
const mutant = (id: string, coveredBy: string[], killedBy?: string[]) => ({ id, status: killedBy ? 'Killed' : 'Survived', coveredBy, killedBy });

describe('merging the incremental files of runs in parts', () => {
  test('maps each part\'s test ids onto the merged ones by name, and keeps every mutant', () => {
    const first: Report = { files: { 'one.ts': { mutants: [mutant('0', ['0', '1'], ['1'])] } }, testFiles: { 't.test.ts': testFile('expect(1).toBe(1);', ['0', '1']) } };
    const second: Report = { files: { 'two.ts': { mutants: [mutant('0', ['5'], ['5']), mutant('1', ['4'])] } }, testFiles: { 't.test.ts': testFile('expect(1).toBe(1);', ['4', '5']) } };
    const { merged, leftOut } = mergeReports([first, second], ['first', 'second']);
    expect(leftOut).toBe(0);
    const idOf = Object.fromEntries(merged.testFiles!['t.test.ts'].tests.map((test) => [test.name, test.id]));
    expect(merged.files['one.ts'].mutants).toEqual([{ ...mutant('0', [idOf['x a'], idOf['x b']], [idOf['x b']]) }]);
    expect(merged.files['two.ts'].mutants).toEqual([mutant('1', [idOf['x b']], [idOf['x b']]), mutant('2', [idOf['x a']])]);
  });

  test('leaves out the results of a part that a changed test covered, and keeps those of tests that did not change', () => {
    const older: Report = { files: { 'one.ts': { mutants: [mutant('0', ['0'], ['0']), mutant('1', ['1'], ['1']), mutant('2', [])] } }, testFiles: { 't.test.ts': testFile('expect(1).toBe(1);', ['0', '1']) } };
    const newer: Report = { files: { 'two.ts': { mutants: [] } }, testFiles: { 't.test.ts': testFile('expect(1).toBe(3);', ['0', '1']) } };
    const { merged, leftOut } = mergeReports([older, newer], ['older', 'newer']);
    expect(leftOut).toBe(1);
    const idOf = Object.fromEntries(merged.testFiles!['t.test.ts'].tests.map((test) => [test.name, test.id]));
    expect(merged.files['one.ts'].mutants).toEqual([mutant('0', [idOf['x b']], [idOf['x b']]), mutant('1', [])]);
    expect(merged.testFiles!['t.test.ts'].source).toBe(source('expect(1).toBe(3);'));
  });

  test('refuses a mutated file that two parts ran', () => {
    const part: Report = { files: { 'one.ts': { mutants: [] } }, testFiles: {} };
    expect(() => mergeReports([part, part], ['p1', 'p2'])).toThrow('one.ts is in more than one report (p2 and one before it): merge runs on disjoint files only.');
  });
});
