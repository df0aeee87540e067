import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import type { Stack } from 'aws-cdk-lib';
import { counterStack, TWO_PROJECTIONS } from './fixtures/aggregate';
import { COUNTER_ENTRY, COUNTER_QUERIES_ENTRY, actionsOf, logicalIdOf, statementsOfRole } from './fixtures/stand-in-app';
import { CqrsAggregate } from '../../lib';
import { clientEnvName } from '../../lib/private/runtime-contract';

// A user's function, as a platform team would write it (any lambda.Function; NodejsFunction is one).
const apiFunction = (stack: Stack, id = 'Api') => new lambda.Function(stack, id, {
  runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})'),
});
const ref = (stack: Stack, path: string) => ({ Ref: logicalIdOf(stack, path) });
const variablesOf = (stack: Stack, id = 'Api'): Record<string, unknown> => {
  const resource = Template.fromStack(stack).toJSON().Resources[logicalIdOf(stack, `${id}/Resource`)] as { Properties: { Environment?: { Variables: Record<string, unknown> } } };
  return resource.Properties.Environment?.Variables ?? {};
};

describe('CqrsAggregate.connect', () => {
  test('by default gives all the aggregate has: commands, the read model with its sessions, queries, each with its variable', () => {
    // GIVEN an aggregate with projections, readYourWrites and queries
    const { stack, aggregate } = counterStack({ projections: TWO_PROJECTIONS, queries: { entry: COUNTER_QUERIES_ENTRY }, readYourWrites: {} });
    const fn = apiFunction(stack);
    // WHEN
    aggregate.connect(fn);
    // THEN the variables name the aggregate's own function and tables
    expect(variablesOf(stack)).toEqual({
      [clientEnvName('Counter', 'commandFunction')]: ref(stack, 'Counters/CommandHandler/Function'),
      [clientEnvName('Counter', 'queryFunction')]: ref(stack, 'Counters/QueryHandler/Function'),
      [clientEnvName('Counter', 'readModelTable')]: ref(stack, 'Counters/ReadModel/Table'),
      [clientEnvName('Counter', 'sessionTable')]: ref(stack, 'Counters/SessionTable/Table'),
      [clientEnvName('Counter', 'eventStoreTable')]: ref(stack, 'Counters/EventStore/Table'),
    });
    expect(Object.keys(variablesOf(stack))).toContain('CQRS_Counter_COMMAND_FUNCTION');
    // AND the role may invoke the two functions and read (never write) the tables
    const statements = statementsOfRole(stack, 'Api/ServiceRole');
    expect([...new Set(actionsOf(statements))]).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query', 'lambda:InvokeFunction']);
  });

  test('gives only what is asked: a reader gets no command handler, a sender no tables', () => {
    const { stack, aggregate } = counterStack({ projections: TWO_PROJECTIONS, queries: { entry: COUNTER_QUERIES_ENTRY } });
    aggregate.connect(apiFunction(stack, 'Reader'), { sendCommands: false, queries: false });
    aggregate.connect(apiFunction(stack, 'Sender'), { readModel: false, queries: false });

    expect(variablesOf(stack, 'Reader')).toEqual({ [clientEnvName('Counter', 'readModelTable')]: ref(stack, 'Counters/ReadModel/Table') });
    expect([...new Set(actionsOf(statementsOfRole(stack, 'Reader/ServiceRole')))]).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    expect(variablesOf(stack, 'Sender')).toEqual({ [clientEnvName('Counter', 'commandFunction')]: ref(stack, 'Counters/CommandHandler/Function') });
    const commandHandlerArn = { 'Fn::GetAtt': [logicalIdOf(stack, 'Counters/CommandHandler/Function'), 'Arn'] };
    expect(statementsOfRole(stack, 'Sender/ServiceRole')).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [commandHandlerArn, { 'Fn::Join': ['', [commandHandlerArn, ':*']] }] },
    ]);
  });

  test('on an aggregate with no read side, gives commands only', () => {
    const { stack, aggregate } = counterStack();
    aggregate.connect(apiFunction(stack));
    expect(Object.keys(variablesOf(stack))).toEqual([clientEnvName('Counter', 'commandFunction')]);
  });

  test('one function holds the variables of several aggregates', () => {
    const { stack, aggregate } = counterStack({ projections: TWO_PROJECTIONS });
    const other = new CqrsAggregate(stack, 'Tallies', { aggregateName: 'Tally', entry: COUNTER_ENTRY, eventBus: aggregate.eventBus });
    const fn = apiFunction(stack);
    aggregate.connect(fn);
    other.connect(fn);
    aggregate.connect(fn); // again: the same aggregate, no harm
    expect(Object.keys(variablesOf(stack)).sort()).toEqual([
      clientEnvName('Counter', 'commandFunction'), clientEnvName('Counter', 'readModelTable'), clientEnvName('Tally', 'commandFunction'),
    ].sort());
  });

  test.each([
    [{ readModel: true }, {}, /connect\(\{ readModel: true \}\) needs a read model.*Add a projection to projections/],
    [{ queries: true }, { projections: TWO_PROJECTIONS }, /connect\(\{ queries: true \}\) needs a query function.*Set queries: \{ entry \}/],
    [{ sendCommands: false }, {}, /gives the function nothing/],
  ])('fails synth when %j asks for what the aggregate lacks, naming the fix', (options, props, message) => {
    const { stack, aggregate } = counterStack(props);
    expect(() => aggregate.connect(apiFunction(stack), options)).toThrow(message);
    expect(variablesOf(stack)).toEqual({});
  });

  test('refuses to connect one function to two aggregates of the same name, which its variables could not tell apart', () => {
    const { stack, aggregate } = counterStack();
    const namesake = new CqrsAggregate(stack, 'OtherCounters', { aggregateName: 'Counter', namespace: 'other', entry: COUNTER_ENTRY });
    const fn = apiFunction(stack);
    aggregate.connect(fn);
    expect(() => namesake.connect(fn)).toThrow(/already connected to another aggregate named 'Counter'.*different aggregateNames/);
  });
});
