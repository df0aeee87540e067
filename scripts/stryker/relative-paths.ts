import * as fs from 'node:fs';

/**
 * Keeps the machine's paths out of a Stryker report that is committed (the incremental file): Stryker writes its
 * project root there and the stack traces of the failed tests (in sandboxes, node_modules and the project), which it
 * only shows, never reads back. `root` is the project's folder.
 */
export function relativeReportPaths(file: string, root: string): void {
  if (!fs.existsSync(file)) return;
  const text = fs.readFileSync(file, 'utf8');
  const rootPrefix = `${root.replace(/\/+$/, '')}/`;
  const relative = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value.replace(/(?:\/[^\s:()"']+)?\/\.stryker-tmp\/sandbox-[\w-]+\//g, '').replace(/(?:\/[^\s:()"']+)?\/node_modules\//g, 'node_modules/')
        .split(rootPrefix).join('');
    }
    if (Array.isArray(value)) return value.map(relative);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [relative(key) as string, relative(inner)]));
    return value;
  };
  const cleaned = `${JSON.stringify({ ...(relative(JSON.parse(text)) as object), projectRoot: '.' }, null, 2)}\n`;
  if (cleaned !== text) fs.writeFileSync(file, cleaned);
}
