import type { AnyAggregate } from './define-aggregate';
import type { CommandEnvelope } from '../shared/envelope';
import { ValidationError } from '../shared/errors';
import { ownValue } from '../shared/guards';
import type { StandardSchemaV1 } from '../shared/standard-schema';

/** Runs the command's schema (when the aggregate defines one) on its payload: the validated value, or a ValidationError listing the issues. */
export async function validatePayload(aggregate: AnyAggregate, command: CommandEnvelope): Promise<unknown> {
  const schema = ownValue(aggregate.schemas, command.type);
  if (!isStandardSchema(schema)) return command.payload;
  const result = await schema['~standard'].validate(command.payload);
  if (!result.issues) return result.value;
  const issues = result.issues.map((issue) => ({
    message: issue.message,
    path: issue.path?.map((segment) => {
      const key = typeof segment === 'object' ? segment.key : segment;
      return typeof key === 'number' ? key : String(key);
    }),
  }));
  const first = issues[0];
  throw new ValidationError(
    `Command ${command.type}: payload${first?.path?.length ? `.${first.path.join('.')}` : ''} ${first?.message ?? 'is invalid'}${issues.length > 1 ? ` (and ${issues.length - 1} more issues)` : ''}.`,
    issues,
  );
}

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if (typeof value !== 'object' || value === null) return false;
  const props = (value as Record<string, unknown>)['~standard'];
  return typeof props === 'object' && props !== null && typeof (props as { validate?: unknown }).validate === 'function';
}
