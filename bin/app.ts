import * as path from 'node:path';
import { App, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as events from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { CqrsAggregate, CqrsHttpApi, CqrsSqlReadModel, HttpApiAuth } from 'cdk-cqrs';

/** The example: a Customer and an Order aggregate that share one bus. */
export class ShopStack extends Stack {
  public readonly customers: CqrsAggregate;
  public readonly orders: CqrsAggregate;
  public readonly api: CqrsHttpApi;
  public readonly reports: CqrsSqlReadModel;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const bus = new events.EventBus(this, 'ShopBus');
    this.customers = new CqrsAggregate(this, 'Customers', {
      aggregateName: 'Customer',
      namespace: 'shop',
      entry: path.join(__dirname, 'domain', 'customer.ts'),
      eventBus: bus,
      projections: [{ projectionName: 'CustomerView', entry: path.join(__dirname, 'domain', 'customer-view.ts') }],
      readYourWrites: { ttl: Duration.minutes(5) },
    });
    this.orders = new CqrsAggregate(this, 'Orders', {
      aggregateName: 'Order',
      namespace: 'shop',
      entry: path.join(__dirname, 'domain', 'order.ts'),
      eventBus: bus,
      snapshotEvery: 20,
      projections: [{ projectionName: 'OrdersByCustomer', entry: path.join(__dirname, 'domain', 'orders-by-customer.ts') }],
      // A customer's orders by status, newest first: see bin/domain/orders-by-customer.ts.
      readModelIndexes: [{ indexName: 'byCustomer' }],
      queries: { entry: path.join(__dirname, 'domain', 'order-queries.ts') },
    });

    // Seed 004's order view in SQL: each order with its customer's name and email, kept in step
    // when the customer changes it, and queries that join across both aggregates. An Aurora
    // Serverless v2 cluster that pauses when idle, reached through the RDS Data API.
    this.reports = new CqrsSqlReadModel(this, 'Reports', {
      projections: [{
        projectionName: 'OrderView',
        entry: path.join(__dirname, 'domain', 'order-view.ts'),
        sources: [this.orders, this.customers],
        migrations: path.join(__dirname, 'sql', 'order-view'),
      }],
      queries: { entry: path.join(__dirname, 'domain', 'order-view-queries.ts') },
    });

    // The shop on the web: customers sign in with Cognito; their user id (the token's sub) is
    // their customer id, and the domain rules in bin/domain/ judge what each caller may do.
    const users = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
    });
    new cognito.CfnUserPoolGroup(this, 'Staff', { userPoolId: users.userPoolId, groupName: 'staff' });
    const web = users.addClient('Web', { authFlows: { userSrp: true } });
    this.api = new CqrsHttpApi(this, 'Api', {
      aggregates: [
        { aggregate: this.customers, resource: 'customers', exposeProjections: ['CustomerView'] },
        { aggregate: this.orders, resource: 'orders', exposeProjections: ['OrdersByCustomer'] },
      ],
      auth: HttpApiAuth.cognito({ userPool: users, userPoolClients: [web] }),
    });
  }
}

if (require.main === module) {
  const app = new App();
  new ShopStack(app, 'CdkCqrsExample');
  // cdk-nag's AWS Solutions rules run at synth: a finding fails `cdk synth`.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
}
