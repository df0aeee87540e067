import { randomUUID } from 'node:crypto';
import type { QueueResource } from './cloud-assembly';

/**
 * Time as the local queues see it. It runs with the wall clock, and `advanceTo` jumps it
 * forward when everything else is idle, so that a visibility timeout of minutes costs nothing.
 */
export class LocalClock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advanceTo(timeMs: number): void {
    this.offsetMs += Math.max(0, timeMs - this.now());
  }
}

/** A queue's settings, as the synthesized `AWS::SQS::Queue` gives them. */
export interface LocalQueueSettings {
  readonly name: string;
  readonly arn: string;
  /** @default 30 (SQS's default) */
  readonly visibilityTimeoutSeconds?: number;
  /** The redrive policy: after `maxReceiveCount` receives, a message moves to the dead-letter queue. */
  readonly redrive?: { readonly deadLetterQueue: LocalQueue; readonly maxReceiveCount: number };
}

/** A received message, shaped as Lambda's SQS event source hands it to a function (aws-lambda's SQSRecord). */
export interface LocalQueueRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: { readonly ApproximateReceiveCount: string; readonly SentTimestamp: string; readonly ApproximateFirstReceiveTimestamp: string };
  readonly messageAttributes: Record<string, never>;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAtMs: number;
  receiveCount: number;
  firstReceivedAtMs?: number;
  visibleAtMs: number;
  receiptHandle?: string;
}

const SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;

/**
 * An SQS standard queue in memory, with the semantics the projectors depend on: a received
 * message stays invisible for the visibility timeout and comes back unless deleted, each
 * receive counts, and a message received `maxReceiveCount` times moves to the dead-letter
 * queue on its next receive, as SQS's redrive policy does.
 */
export class LocalQueue {
  private readonly messages: StoredMessage[] = [];

  constructor(public readonly settings: LocalQueueSettings, private readonly clock: LocalClock) {}

  get name(): string {
    return this.settings.name;
  }

  /** Messages stored, visible or in flight. */
  get size(): number {
    return this.messages.length;
  }

  /** Sends a message; with `delaySeconds` it is not visible before then (SQS's DelaySeconds). */
  send(body: string, delaySeconds = 0): string {
    const messageId = randomUUID();
    this.messages.push({ messageId, body, sentAtMs: this.clock.now(), receiveCount: 0, visibleAtMs: this.clock.now() + delaySeconds * 1000 });
    return messageId;
  }

  /**
   * Up to `maxMessages` visible messages, oldest first; they stay invisible for the visibility
   * timeout. Messages in `exclude` are left as they are: not received, not counted.
   */
  receive(maxMessages: number, exclude: ReadonlySet<string> = new Set()): LocalQueueRecord[] {
    const now = this.clock.now();
    const received: LocalQueueRecord[] = [];
    for (const message of [...this.messages]) {
      if (received.length === maxMessages) break;
      if (message.visibleAtMs > now || exclude.has(message.messageId)) continue;
      const redrive = this.settings.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.remove(message.messageId);
        redrive.deadLetterQueue.send(message.body);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAtMs ??= now;
      message.visibleAtMs = now + (this.settings.visibilityTimeoutSeconds ?? SQS_DEFAULT_VISIBILITY_TIMEOUT_SECONDS) * 1000;
      message.receiptHandle = randomUUID();
      received.push({
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        body: message.body,
        attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAtMs),
          ApproximateFirstReceiveTimestamp: String(message.firstReceivedAtMs),
        },
        messageAttributes: {},
        eventSource: 'aws:sqs',
        eventSourceARN: this.settings.arn,
      });
    }
    return received;
  }

  /** Deletes a received message; a receipt handle of an earlier receive no longer deletes it. */
  delete(receiptHandle: string): void {
    const message = this.messages.find((m) => m.receiptHandle === receiptHandle);
    if (message) this.remove(message.messageId);
  }

  /** When the next invisible message becomes visible again, if any is in flight. */
  nextVisibleAtMs(): number | undefined {
    const now = this.clock.now();
    const times = this.messages.map((m) => m.visibleAtMs).filter((t) => t > now);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  /** True when a message not in `exclude` can be received now. */
  hasVisible(exclude: ReadonlySet<string> = new Set()): boolean {
    const now = this.clock.now();
    return this.messages.some((m) => m.visibleAtMs <= now && !exclude.has(m.messageId));
  }

  /** The bodies of every stored message, oldest first (to inspect a dead-letter queue). */
  peekBodies(): string[] {
    return this.messages.map((m) => m.body);
  }

  private remove(messageId: string): void {
    const index = this.messages.findIndex((m) => m.messageId === messageId);
    if (index >= 0) this.messages.splice(index, 1);
  }
}

/** The queues of an app by resource key, each dead-letter queue made before the queues that redrive to it. */
export function createLocalQueues(resources: readonly QueueResource[], clock: LocalClock, arnPrefix: string): Map<string, LocalQueue> {
  const queues = new Map<string, LocalQueue>();
  const create = (key: string): LocalQueue => {
    const existing = queues.get(key);
    if (existing) return existing;
    const resource = resources.find((q) => q.key === key);
    if (!resource) throw new Error(`cdk-cqrs local: no queue ${key} in the assembly.`);
    const queue = new LocalQueue({
      name: resource.logicalId,
      arn: `${arnPrefix}${resource.logicalId}`,
      visibilityTimeoutSeconds: resource.visibilityTimeoutSeconds,
      redrive: resource.redrive ? { deadLetterQueue: create(resource.redrive.deadLetterQueue), maxReceiveCount: resource.redrive.maxReceiveCount } : undefined,
    }, clock);
    queues.set(key, queue);
    return queue;
  };
  for (const resource of resources) create(resource.key);
  return queues;
}
