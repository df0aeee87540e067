/**
 * PostgreSQL's lexical structure, as far as cdk-cqrs needs it: where statements end (the Data API
 * runs one statement per call, so a migration file is split) and where named parameters (`:p1`)
 * are (the local Data API binds them). Quoted strings ('...', E'...' with backslash escapes),
 * quoted identifiers ("..."), dollar-quoted bodies ($$...$$, $tag$...$tag$), line and nested
 * block comments, and `::` casts are skipped over, so a `;` or `:name` inside them is text.
 */

interface Scan {
  /** The offsets of the characters that are code (not inside a literal or a comment), ascending. */
  readonly code: number[];
  /** The offsets where a literal (a string, quoted identifier or dollar-quoted body) starts, ascending. */
  readonly literals: number[];
}

/** The offsets of the characters of `sql` that are code: outside strings, identifiers, dollar quotes and comments. */
function scanCode(sql: string): Scan {
  const code: number[] = [];
  const literals: number[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '/' && next === '*') {
      i = endOfBlockComment(sql, i);
    } else if (c === '\'') {
      literals.push(i);
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]) && !isIdentifierChar(sql[i - 2]);
      i = endOfQuoted(sql, i, '\'', escapes);
    } else if (c === '"') {
      literals.push(i);
      i = endOfQuoted(sql, i, '"', false);
    } else if (c === '$' && !isIdentifierChar(sql[i - 1])) {
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i));
      if (tag) {
        literals.push(i);
        const end = sql.indexOf(tag[0], i + tag[0].length);
        if (end === -1) throw new SqlTextError(`a dollar-quoted string opened with ${tag[0]} at offset ${i} is never closed`);
        i = end + tag[0].length;
      } else {
        code.push(i);
        i += 1;
      }
    } else {
      code.push(i);
      i += 1;
    }
  }
  return { code, literals };
}

/** SQL text cdk-cqrs cannot read: an unclosed string, identifier, dollar quote or comment. */
export class SqlTextError extends Error {
  constructor(detail: string) {
    super(`cdk-cqrs: the SQL text is ill-formed: ${detail}.`);
    this.name = 'SqlTextError';
  }
}

const isIdentifierChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$\u0080-\uffff]/.test(c);

function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth += 1;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  throw new SqlTextError(`a block comment opened at offset ${start} is never closed`);
}

function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    if (backslashEscapes && sql[i] === '\\') {
      i += 2;
    } else if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  throw new SqlTextError(`a ${quote === '"' ? 'quoted identifier' : 'string'} opened at offset ${start} is never closed`);
}

/**
 * The statements of a script, in order, each without its `;`: what is only whitespace and
 * comments is no statement.
 */
export function splitStatements(script: string): string[] {
  const { code, literals } = scanCode(script);
  const statements: string[] = [];
  let start = 0;
  // A piece with nothing but whitespace and comments in it is not a statement; a literal is something.
  let something = false;
  let literal = 0;
  for (const offset of [...code, script.length]) {
    for (; literal < literals.length && literals[literal] < offset; literal += 1) if (literals[literal] >= start) something = true;
    if (offset === script.length || script[offset] === ';') {
      if (something) statements.push(script.slice(start, offset).trim());
      start = offset + 1;
      something = false;
    } else if (!/\s/.test(script[offset])) {
      something = true;
    }
  }
  return statements;
}

/** A named parameter found in SQL text: `:name` at `offset`, `length` characters long. */
export interface NamedParameter {
  readonly name: string;
  readonly offset: number;
  readonly length: number;
}

/** The named parameters (`:name`) of one statement, in order; `::type` casts are not parameters. */
export function namedParameters(sql: string): NamedParameter[] {
  const { code } = scanCode(sql);
  const isCode = new Set(code);
  const found: NamedParameter[] = [];
  for (const offset of code) {
    if (sql[offset] !== ':') continue;
    // `::` is a cast; the second colon of one is not a parameter either.
    if (sql[offset + 1] === ':' || (sql[offset - 1] === ':' && isCode.has(offset - 1))) continue;
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(offset + 1))?.[0];
    if (name !== undefined) found.push({ name, offset, length: name.length + 1 });
  }
  return found;
}
