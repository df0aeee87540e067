import { randomUUID } from 'node:crypto';
import { matchesEventPattern, type EventPattern } from './event-pattern';

/** One entry of a PutEvents request. */
export interface PutEventsEntry {
  readonly EventBusName?: string;
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly Resources?: readonly string[];
}

/** An event as EventBridge delivers it to a target. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/** A rule on a local bus: its event pattern, and where a matching event goes. */
export interface LocalRule {
  readonly name: string;
  readonly busName: string;
  readonly eventPattern: EventPattern;
  /** Sends the event to the rule's targets; a duplicate comes with a delay, as a late redelivery. */
  readonly deliver: (event: BusEvent, delaySeconds?: number) => void;
}

/** A duplicate arrives this much later, so that it reaches the consumer after the original was applied. */
const DUPLICATE_DELAY_SECONDS = 1;

/** What happened to one event: the rules it matched. */
export interface RoutedEvent {
  readonly event: BusEvent;
  readonly matchedRules: readonly string[];
  /** True when the event was delivered twice to each rule, as at-least-once delivery may do. */
  readonly duplicated: boolean;
}

export interface LocalBusSettings {
  readonly account: string;
  readonly region: string;
  /** Called for every event put on a bus, with the rules it matched. */
  readonly onRouted?: (routed: RoutedEvent) => void;
  /**
   * Delivers every nth event that matches a rule twice. EventBridge and SQS deliver at least
   * once; this makes the duplicates happen, to show that the consumers are idempotent.
   * @default - each event is delivered once
   */
  readonly duplicateEvery?: number;
}

/**
 * EventBridge's PutEvents and rule matching, in process: each entry becomes the event a target
 * receives, and goes to every rule of its bus whose event pattern matches it.
 */
export class LocalBus {
  private readonly rules: LocalRule[] = [];
  private routedCount = 0;

  constructor(private readonly settings: LocalBusSettings) {}

  addRule(rule: LocalRule): void {
    this.rules.push(rule);
  }

  /** PutEvents: per-entry results in request order, as EventBridge answers (an entry without detail fails alone). */
  putEvents(entries: readonly PutEventsEntry[]): { FailedEntryCount: number; Entries: ({ EventId: string } | { ErrorCode: string; ErrorMessage: string })[] } {
    const results = entries.map((entry) => {
      if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required.' };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON.' };
      }
      const event: BusEvent = {
        version: '0', id: randomUUID(), 'detail-type': entry.DetailType, source: entry.Source,
        account: this.settings.account, time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), region: this.settings.region,
        resources: entry.Resources ?? [], detail,
      };
      const busName = busNameOf(entry.EventBusName);
      const matched = this.rules.filter((rule) => rule.busName === busName && matchesEventPattern(rule.eventPattern, event));
      const every = this.settings.duplicateEvery;
      const duplicated = matched.length > 0 && every !== undefined && ++this.routedCount % every === 0;
      for (const rule of matched) {
        rule.deliver(event);
        if (duplicated) rule.deliver(event, DUPLICATE_DELAY_SECONDS);
      }
      this.settings.onRouted?.({ event, matchedRules: matched.map((rule) => rule.name), duplicated });
      return { EventId: event.id };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  }
}

/** A bus name from a name or an ARN (`arn:aws:events:<region>:<account>:event-bus/<name>`); none is the default bus. */
const busNameOf = (nameOrArn: string | undefined): string =>
  !nameOrArn ? 'default' : nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.indexOf('event-bus/') + 'event-bus/'.length) : nameOrArn;
