import { randomBytes } from 'node:crypto';
import type { Logger } from '@mindbot/logger';
import type { KubeClient, KubeResource } from './kube-client.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: KubeClient;
  /** `reportingController`: who reports, the same for every replica. */
  controller: string;
  /** `reportingInstance`: which replica reports. */
  instance: string;
  logger: Logger;
}

/** The API server refuses longer notes (bytes). */
const NOTE_LIMIT = 1024;
/** The same event about the same object within this long is counted on the first one (its `series`), as client-go does. */
const SERIES_WINDOW_MS = 10 * 60_000;
const REMEMBERED = 4_096;

const microTime = (at: Date) => at.toISOString().replace('Z', '000Z');

/** The API server counts the note's limit in bytes, not characters. */
function fitNote(note: string): string {
  if (Buffer.byteLength(note) <= NOTE_LIMIT) return note;
  let cut = note.slice(0, NOTE_LIMIT);
  while (Buffer.byteLength(`${cut}…`) > NOTE_LIMIT) cut = cut.slice(0, -1);
  return `${cut}…`;
}

interface RecordedEvent {
  name: string;
  namespace: string;
  firstAt: number;
  count: number;
  /** Settles once the first one was written (or failed to be): a repeat is counted after it. */
  written: Promise<void>;
}

/**
 * Records `events.k8s.io/v1` Events about an object, so `kubectl describe` and `kubectl events`
 * show what the operator did and why it is stuck. Callers record transitions, not every reconcile,
 * so a steady state writes nothing. Recording never fails the caller: an Event that cannot be
 * written is logged and dropped.
 */
export class EventRecorder {
  /** Events recorded lately, by object and content: a repeat (e.g. a reconcile that saw a stale cache) joins the first one's series. */
  private readonly recent = new Map<string, RecordedEvent>();

  constructor(private readonly options: EventRecorderOptions) {}

  record(
    object: KubeResource & { metadata: { uid?: string; resourceVersion?: string } },
    type: EventType,
    reason: string,
    action: string,
    note: string,
  ): void {
    const { metadata } = object;
    // Events about cluster-scoped objects live in `default`, where kubectl looks for them.
    const namespace = metadata.namespace ?? 'default';
    const now = new Date();
    const key = [metadata.uid ?? `${namespace}/${metadata.name}`, type, reason, action, note].join('|');
    const earlier = this.recent.get(key);
    if (earlier && now.getTime() - earlier.firstAt < SERIES_WINDOW_MS) {
      const count = ++earlier.count;
      const path = `/apis/events.k8s.io/v1/namespaces/${earlier.namespace}/events/${earlier.name}`;
      earlier.written = earlier.written
        .then(() =>
          this.options.client.request(
            'PATCH',
            path,
            { series: { count, lastObservedTime: microTime(now) } },
            'application/merge-patch+json',
          ),
        )
        .then(
          () => undefined,
          (error: unknown) => this.options.logger.warn({ err: error, reason, object: metadata.name }, 'could not count a repeated event'),
        );
      return;
    }
    const name = `${metadata.name}.${now.getTime().toString(16)}${randomBytes(2).toString('hex')}`;
    const event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace },
      eventTime: microTime(now),
      reportingController: this.options.controller,
      reportingInstance: this.options.instance,
      action,
      reason,
      type,
      note: fitNote(note),
      regarding: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        name: metadata.name,
        namespace: metadata.namespace,
        uid: metadata.uid,
        resourceVersion: metadata.resourceVersion,
      },
    };
    const written = this.options.client.request('POST', `/apis/events.k8s.io/v1/namespaces/${namespace}/events`, event).then(
      () => undefined,
      (error: unknown) => this.options.logger.warn({ err: error, reason, object: metadata.name }, 'could not record an event'),
    );
    this.remember(key, { name, namespace, firstAt: now.getTime(), count: 1, written });
  }

  private remember(key: string, entry: RecordedEvent): void {
    this.recent.delete(key);
    this.recent.set(key, entry);
    // Oldest first (insertion order): forget beyond the bound.
    for (const old of this.recent.keys()) {
      if (this.recent.size <= REMEMBERED) break;
      this.recent.delete(old);
    }
  }
}
