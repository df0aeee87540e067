import { ConcurrencyError, DomainError, IdempotencyKeyReused, UnknownCommand, UnknownQuery, ValidationError } from 'cdk-cqrs/runtime';
import { problemAnswer, problemType } from '../../lambda/http/problem';
import { NotFound, UnknownProjection } from '../../lambda/http/read-rejections';
import { answerHttpCommand, answerHttpQuery } from '../../lambda/http/http-command';
import type { FaultLog } from '../../lambda/http/fault-log';
import { httpApiEvent } from '../helpers/http-api-events';

const commandEvent = httpApiEvent({ method: 'POST', route: '/orders/{aggregateId}/{commandType}', pathParameters: { aggregateId: 'o-1', commandType: 'CreateOrder' }, body: '{}', sub: 'c-1' });
const queryEvent = httpApiEvent({ method: 'GET', route: '/queries/{queryType}', pathParameters: { queryType: 'GetOrder' }, sub: 'c-1' });

const problemOf = (error: unknown) => {
  const answer = problemAnswer(error, 'corr-1');
  expect(answer.headers['content-type']).toBe('application/problem+json');
  return { status: answer.statusCode, problem: JSON.parse(answer.body) as Record<string, unknown> };
};

describe('a rejection as an RFC 9457 problem', () => {
  test.each([
    ['validation-error', 400, new ValidationError('bad email', [{ message: 'not an email', path: ['email'] }]), { issues: [{ message: 'not an email', path: ['email'] }] }],
    ['unknown-command', 404, new UnknownCommand({ commandType: 'Fly', knownCommands: ['Register'] }), { knownCommands: ['Register'] }],
    ['unknown-query', 404, new UnknownQuery({ queryType: 'Fly', knownQueries: ['Get'] }), { knownQueries: ['Get'] }],
    ['unknown-projection', 404, new UnknownProjection({ projectionName: 'Fly', knownProjections: ['CustomerView'] }), { knownProjections: ['CustomerView'] }],
    ['not-found', 404, new NotFound({ projectionName: 'CustomerView', aggregateId: 'c-1' }), {}],
    ['concurrency-error', 409, new ConcurrencyError({ aggregateId: 'c-1', expectedVersion: 1, currentVersion: 2 }), { currentVersion: 2 }],
    ['domain-error', 422, new DomainError('Customer already exists', { since: 3 }), { details: { since: 3 } }],
    ['idempotency-key-reused', 422, new IdempotencyKeyReused({ aggregateId: 'c-1', commandId: 'k' }), {}],
    // Titled by the kind: `%s` of an error prints its stack, whose paths differ between clones.
  ])('%s is %d', (kind, status, error, extensions) => {
    const { status: given, problem } = problemOf(error);
    expect(given).toBe(status);
    expect(problem).toEqual({ type: problemType(kind), title: expect.any(String), status, detail: error.message, correlationId: 'corr-1', ...extensions });
  });

  test('a fault is a 500 with the correlation id and nothing internal', () => {
    const fault = new Error('ConnectTimeoutError: table shop-EventStore-1A2B3C at 10.0.3.7');
    const { status, problem } = problemOf(fault);
    expect(status).toBe(500);
    expect(problem).toEqual({ type: problemType('internal-error'), title: 'Internal error', status: 500, correlationId: 'corr-1' });
    // An object posing as a rejection (a name is not a class) is a fault too.
    expect(problemOf({ name: 'DomainError', message: 'internal detail' }).status).toBe(500);
  });
});

describe('every 500 is a logged fault', () => {
  // Validation libraries name their errors ValidationError (yup, joi, mongoose...): a decide or a
  // query that lets one escape throws an error whose name is a rejection's but whose class is not.
  test.each([
    ['a command', (run: () => Promise<never>, log: FaultLog) => answerHttpCommand(commandEvent, run, log)],
    ['a query', (run: () => Promise<never>, log: FaultLog) => answerHttpQuery(queryEvent, run, log)],
  ])('%s that throws a foreign error named like a rejection is answered 500 and logged with its correlation id', async (_label, answer) => {
    const log = jest.fn<void, Parameters<FaultLog>>();
    const foreign = Object.assign(new Error('"email" must be a valid email'), { name: 'ValidationError' });
    const answered = await answer(() => Promise.reject(foreign), log);
    const { correlationId } = JSON.parse(answered.body) as { correlationId: string };
    expect(answered.statusCode).toBe(500);
    expect(log).toHaveBeenCalledWith(expect.objectContaining({ level: 'ERROR', correlationId }));
  });
});
