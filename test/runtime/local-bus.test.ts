import { LocalBus, type BusEvent, type LocalBusSettings, type RoutedEvent } from '../../lambda/local/local-bus';

const ACCOUNT = '000000000000';
const REGION = 'eu-west-1';

/** A bus with three rules: two on the `shop` bus (one matching Customer events, one Order events) and one on the default bus. */
function shopBus(settings: Partial<LocalBusSettings> = {}) {
  const delivered: Record<string, BusEvent[]> = { CustomerView: [], OrdersByCustomer: [], DefaultAudit: [] };
  const delays: number[] = [];
  const bus = new LocalBus({ account: ACCOUNT, region: REGION, ...settings });
  bus.addRule({ name: 'CustomerView', busName: 'shop', eventPattern: { source: ['shop.Customer'] }, deliver: (e, delaySeconds) => {
    delivered.CustomerView.push(e);
    delays.push(delaySeconds ?? 0);
  } });
  bus.addRule({ name: 'OrdersByCustomer', busName: 'shop', eventPattern: { source: ['shop.Order'] }, deliver: (e) => delivered.OrdersByCustomer.push(e) });
  bus.addRule({ name: 'DefaultAudit', busName: 'default', eventPattern: { source: [{ prefix: 'shop.' }] }, deliver: (e) => delivered.DefaultAudit.push(e) });
  return { bus, delivered, delays };
}

const customerRegistered = (eventBusName?: string) => ({
  EventBusName: eventBusName,
  Source: 'shop.Customer',
  DetailType: 'CustomerRegistered',
  Detail: JSON.stringify({ aggregateId: 'c-42', version: 1, data: { email: 'ann@example.com' } }),
});

const receivers = (delivered: Record<string, BusEvent[]>) =>
  Object.entries(delivered).filter(([, events]) => events.length > 0).map(([rule]) => rule);

describe('LocalBus', () => {
  test.each([
    ['EventBusName as a name', 'shop', ['CustomerView']],
    ['EventBusName as an ARN', `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/shop`, ['CustomerView']],
    ['no EventBusName (the default bus)', undefined, ['DefaultAudit']],
    ['EventBusName default', 'default', ['DefaultAudit']],
    ['EventBusName of a bus without rules', 'elsewhere', []],
  ])('%s: an entry goes only to the rules of its bus whose patterns match', (_how, eventBusName, expected) => {
    const { bus, delivered } = shopBus();

    bus.putEvents([customerRegistered(eventBusName)]);

    expect(receivers(delivered)).toEqual(expected);
  });

  test('delivers the event in EventBridge\'s shape, with the detail parsed', () => {
    // GIVEN
    const { bus, delivered } = shopBus();

    // WHEN
    const answer = bus.putEvents([{ ...customerRegistered('shop'), Resources: ['arn:aws:dynamodb:eu-west-1:000000000000:table/events'] }]);

    // THEN
    const [event] = delivered.CustomerView;
    expect(event).toEqual({
      'version': '0',
      'id': expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      'detail-type': 'CustomerRegistered',
      'source': 'shop.Customer',
      'account': ACCOUNT,
      'time': expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
      'region': REGION,
      'resources': ['arn:aws:dynamodb:eu-west-1:000000000000:table/events'],
      'detail': { aggregateId: 'c-42', version: 1, data: { email: 'ann@example.com' } },
    });
    expect(answer.Entries).toEqual([{ EventId: event.id }]);
  });

  test('an entry without Resources is delivered with an empty resources list', () => {
    const { bus, delivered } = shopBus();

    bus.putEvents([customerRegistered('shop')]);

    expect(delivered.CustomerView[0].resources).toEqual([]);
  });

  test('gives each event its own id', () => {
    const { bus, delivered } = shopBus();

    bus.putEvents([customerRegistered('shop'), customerRegistered('shop')]);

    const [first, second] = delivered.CustomerView;
    expect(first.id).not.toBe(second.id);
  });

  test('answers one result per entry, in request order; a malformed entry fails alone and counts in FailedEntryCount', () => {
    // GIVEN
    const { bus, delivered } = shopBus();
    const order = { EventBusName: 'shop', Source: 'shop.Order', DetailType: 'OrderCreated', Detail: '{"aggregateId":"o-1"}' };

    // WHEN
    const answer = bus.putEvents([
      customerRegistered('shop'),
      { ...order, Detail: '{"aggregateId":' },
      { ...order, Source: undefined },
      order,
    ]);

    // THEN
    expect(answer.FailedEntryCount).toBe(2);
    expect(answer.Entries).toEqual([
      { EventId: delivered.CustomerView[0].id },
      { ErrorCode: 'MalformedDetail', ErrorMessage: expect.stringContaining('Detail is not valid JSON') },
      { ErrorCode: 'MalformedDetail', ErrorMessage: expect.any(String) },
      { EventId: delivered.OrdersByCustomer[0].id },
    ]);
    expect(delivered.OrdersByCustomer).toHaveLength(1);
  });

  test('answers FailedEntryCount 0 when every entry is put', () => {
    const { bus } = shopBus();

    expect(bus.putEvents([customerRegistered('shop'), customerRegistered()]).FailedEntryCount).toBe(0);
  });

  test('onRouted reports each event put with the names of the rules it matched, none included', () => {
    // GIVEN
    const routed: RoutedEvent[] = [];
    const { bus, delivered } = shopBus({ onRouted: (r) => routed.push(r) });
    bus.addRule({ name: 'AllShop', busName: 'shop', eventPattern: { source: [{ prefix: 'shop.' }] }, deliver: () => {} });

    // WHEN
    bus.putEvents([customerRegistered('shop'), { ...customerRegistered('shop'), Source: 'billing.Invoice' }, { ...customerRegistered('shop'), Detail: 'nope' }]);

    // THEN
    expect(routed.map((r) => r.matchedRules)).toEqual([['CustomerView', 'AllShop'], []]);
    expect(routed[0].event).toBe(delivered.CustomerView[0]);
  });

  test('with duplicateEvery 2, every second matched event is delivered again, the copy delayed', () => {
    const { bus, delivered, delays } = shopBus({ duplicateEvery: 2 });
    const routed: RoutedEvent[] = [];
    const recording = shopBus({ duplicateEvery: 2, onRouted: (r) => routed.push(r) });

    bus.putEvents([customerRegistered('shop'), customerRegistered('shop'), customerRegistered('shop')]);
    recording.bus.putEvents([customerRegistered('shop'), customerRegistered('shop')]);

    expect(delivered.CustomerView.map((e) => e.id)).toEqual([
      delivered.CustomerView[0].id, delivered.CustomerView[1].id, delivered.CustomerView[1].id, delivered.CustomerView[3].id,
    ]);
    expect(delays).toEqual([0, 0, 1, 0]);
    expect(routed.map((r) => r.duplicated)).toEqual([false, true]);
  });
});
