import * as path from 'node:path';

/**
 * Where the runtime's sources are: `lambda/` is a sibling of `lib/`, both in the repository
 * (TypeScript sources) and in the published package (compiled JavaScript). Module paths under
 * it are given without an extension, so esbuild picks `.ts` in the repository and `.js` in the
 * package.
 *
 * Mutable for tests only, which point it at stand-ins under `test/lib/fixtures/`.
 */
export const runtimeLocation = {
  dir: path.join(__dirname, '..', '..', '..', 'lambda'),
};

/** The module that users import as `cdk-cqrs/runtime`. */
export const runtimeIndex = (): string => path.join(runtimeLocation.dir, 'index');

/** The runtime's Lambda entry points, by file name under `lambda/handlers/`. */
export type RuntimeHandlerName = 'command-handler' | 'publisher' | 'projector' | 'query-handler' | 'projection-reader' | 'definition-manifest'
  | 'sql-projector' | 'sql-query-handler' | 'sql-migrator';

/** A Lambda entry point of the runtime, by its file name under `lambda/handlers/`. */
export const runtimeHandler = (name: RuntimeHandlerName): string => path.join(runtimeLocation.dir, 'handlers', name);
