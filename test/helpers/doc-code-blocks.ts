import * as fs from 'node:fs';
import * as path from 'node:path';

/** A TypeScript code block of a Markdown file, and where it lives in a user's app. */
export interface CodeBlock {
  /** `README.md:42`: the file and the line of the opening fence. */
  readonly where: string;
  /** The path in the app: the block's first-line comment (`// lib/shop-stack.ts`), else a file of its own under `snippets/`. */
  readonly file: string;
  readonly code: string;
}

const FENCE = /^```(\w*)\s*$/;
/** A first line that names the block's file in a user's app: `// lib/shop-stack.ts`, maybe followed by a colon and words. */
const FILE_COMMENT = /^\/\/ ((?:[\w.-]+\/)*[\w.-]+\.ts)\b/;

/** The `ts` and `typescript` blocks of a Markdown file. */
export function typeScriptBlocks(markdownFile: string, root: string): CodeBlock[] {
  const name = path.relative(root, markdownFile);
  const lines = fs.readFileSync(markdownFile, 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  let open: { language: string; line: number; body: string[] } | undefined;
  lines.forEach((line, index) => {
    const fence = FENCE.exec(line);
    if (!open) {
      if (fence) open = { language: fence[1], line: index + 1, body: [] };
      return;
    }
    if (line.trim() !== '```') {
      open.body.push(line);
      return;
    }
    if (open.language === 'ts' || open.language === 'typescript') {
      const named = FILE_COMMENT.exec(open.body[0] ?? '');
      const snippet = `snippets/${name.replace(/[^\w]+/g, '-')}-${open.line}.ts`;
      blocks.push({ where: `${name}:${open.line}`, file: named ? named[1] : snippet, code: `${open.body.join('\n')}\n` });
    }
    open = undefined;
  });
  if (open) throw new Error(`${name}:${open.line}: a code fence is never closed.`);
  return blocks;
}

/**
 * Writes the blocks into `appDir`: each at its file; two blocks that name one file must be the
 * same text (a README may show one file twice), else the docs disagree with themselves.
 */
export function writeBlocks(appDir: string, blocks: readonly CodeBlock[]): void {
  const written = new Map<string, CodeBlock>();
  for (const block of blocks) {
    const earlier = written.get(block.file);
    if (earlier && earlier.code !== block.code) throw new Error(`${block.where} and ${earlier.where} both show ${block.file}, with different code.`);
    written.set(block.file, block);
    fs.mkdirSync(path.join(appDir, path.dirname(block.file)), { recursive: true });
    fs.writeFileSync(path.join(appDir, block.file), block.code);
  }
}
