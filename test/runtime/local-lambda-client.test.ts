import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { Invocation } from '../../lambda/local/function-host';
import { localLambdaClient } from '../../lambda/local/local-lambda-client';

/** A local run with one function, `Shop/Handler`, that answers `answer`; it records what it is asked. */
function fakeRun(answer: Invocation) {
  const invoked: unknown[] = [];
  const later: unknown[] = [];
  const client = localLambdaClient({
    functionKey: (name) => {
      if (name !== 'Handler') throw new Error(`no function ${name}`);
      return 'Shop/Handler';
    },
    invoke: async (key, payload) => {
      invoked.push([key, payload]);
      return answer;
    },
    invokeLater: (key, payload) => later.push([key, payload]),
  });
  return { client, invoked, later };
}

const payload = (json: unknown) => new TextEncoder().encode(JSON.stringify(json));
const decoded = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes)) as unknown;

describe('the stand-in Lambda client of a local run', () => {
  test('runs a synchronous InvokeCommand at once and answers the function\'s result', async () => {
    const run = fakeRun({ ok: true, result: { version: 1 } });

    const answer = await run.client.send(new InvokeCommand({ FunctionName: 'Handler', Payload: payload({ type: 'Open' }) }));

    expect(run.invoked).toEqual([['Shop/Handler', { type: 'Open' }]]);
    expect(answer).toMatchObject({ StatusCode: 200, FunctionError: undefined });
    expect(decoded(answer.Payload)).toEqual({ version: 1 });
  });

  test('answers a function\'s error as Lambda does: the error as payload, FunctionError Unhandled', async () => {
    const run = fakeRun({ ok: false, error: { errorType: 'TypeError', errorMessage: 'boom' } });

    const answer = await run.client.send(new InvokeCommand({ FunctionName: 'Handler', Payload: payload({}) }));

    expect(answer.FunctionError).toBe('Unhandled');
    expect(decoded(answer.Payload)).toEqual({ errorType: 'TypeError', errorMessage: 'boom' });
  });

  test('answers an invocation of type Event 202 and only queues it', async () => {
    const run = fakeRun({ ok: true, result: null });

    const answer = await run.client.send(new InvokeCommand({ FunctionName: 'Handler', InvocationType: 'Event', Payload: payload({ rebuild: {} }) }));

    expect(answer).toEqual({ StatusCode: 202 });
    expect(run.later).toEqual([['Shop/Handler', { rebuild: {} }]]);
    expect(run.invoked).toEqual([]);
  });

  test('takes an empty payload as {}', async () => {
    const run = fakeRun({ ok: true, result: null });

    await run.client.send(new InvokeCommand({ FunctionName: 'Handler' }));

    expect(run.invoked).toEqual([['Shop/Handler', {}]]);
  });

  test('fails, invoking nothing, when the name points at no function', async () => {
    const run = fakeRun({ ok: true, result: null });

    await expect(run.client.send(new InvokeCommand({ FunctionName: 'Nope' }))).rejects.toThrow('no function Nope');
    expect(run.invoked).toEqual([]);
  });
});
