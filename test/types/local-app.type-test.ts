import type { LocalApp } from 'cdk-cqrs/testing';
import type customer from '../../bin/domain/customer';

// A LocalApp's command clients: typed by the aggregate given, any command envelope without one.
export async function commandsAreTyped(local: LocalApp): Promise<void> {
  await local.commands<typeof customer>('Customer').send({ type: 'RegisterCustomer', aggregateId: 'c-1', payload: { email: 'a@b.example', name: 'A' } });
  // @ts-expect-error RegisterCustomer takes an email and a name
  await local.commands<typeof customer>('Customer').send({ type: 'RegisterCustomer', aggregateId: 'c-1', payload: { mail: 'a@b.example' } });
  // Without a type argument, any envelope (it was `never`, so nothing could be sent)
  await local.commands('Customer').send({ type: 'AnyCommand', aggregateId: 'c-1', payload: { any: 'thing' } });
  // @ts-expect-error an envelope still needs its aggregateId
  await local.commands('Customer').send({ type: 'AnyCommand', payload: {} });
}
