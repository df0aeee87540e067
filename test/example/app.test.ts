import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ShopStack } from '../../bin/app';

describe('the example app', () => {
  const app = new App();
  const stack = new ShopStack(app, 'Shop');
  const template = Template.fromStack(stack);

  test('has a Customer and an Order aggregate on one shared bus', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    // Two event stores, two read models, one session table (Customer has read-your-writes).
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 5);
    const buses = template.findResources('AWS::Events::EventBus');
    const busArn = { 'Fn::GetAtt': [Object.keys(buses)[0], 'Arn'] };
    // Each publisher's role holds its permissions inline.
    template.resourcePropertiesCountIs('AWS::IAM::Role', {
      Policies: [{ PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'events:PutEvents', Resource: busArn })]) } }],
    }, 2);
    expect(stack.customers.eventSource).toBe('shop.Customer');
    expect(stack.orders.eventSource).toBe('shop.Order');
  });

  test('bundles each aggregate\'s own domain code into its command handler', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CQRS_AGGREGATE_NAME: 'Order', CQRS_SNAPSHOT_EVERY: '20' }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CQRS_AGGREGATE_NAME: 'Customer', CQRS_SNAPSHOT_EVERY: '50' }) },
    });
  });

  test('routes each projection the events it handles, from its own code', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'source': ['shop.Customer'], 'detail-type': ['CustomerEmailUpdated', 'CustomerRegistered', 'CustomerSuspended'] }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'source': ['shop.Order'], 'detail-type': ['OrderCancelled', 'OrderCreated', 'OrderShipped'] }),
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byCustomer' })],
    });
  });

  test('serves the Order queries from a query function', () => {
    expect(stack.orders.queryHandler).toBeDefined();
    expect(stack.customers.queryHandler).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('^Query function of the Order aggregate') });
  });

  test('passes the cdk-nag AWS Solutions rules', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });
});
