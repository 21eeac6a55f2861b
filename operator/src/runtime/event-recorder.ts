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

/** The API server refuses longer notes. */
const NOTE_LIMIT = 1024;

/**
 * Records `events.k8s.io/v1` Events about an object, so `kubectl describe` and `kubectl events`
 * show what the operator did and why it is stuck. Callers record transitions, not every reconcile,
 * so a steady state writes nothing. Recording never fails the caller: an Event that cannot be
 * written is logged and dropped.
 */
export class EventRecorder {
  constructor(private readonly options: EventRecorderOptions) {}

  record(object: KubeResource & { metadata: { uid?: string; resourceVersion?: string } }, type: EventType, reason: string, action: string, note: string): void {
    const { metadata } = object;
    // Events about cluster-scoped objects live in `default`, where kubectl looks for them.
    const namespace = metadata.namespace ?? 'default';
    const now = new Date();
    const event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `${metadata.name}.${now.getTime().toString(16)}${randomBytes(2).toString('hex')}`, namespace },
      eventTime: now.toISOString().replace('Z', '000Z'),
      reportingController: this.options.controller,
      reportingInstance: this.options.instance,
      action,
      reason,
      type,
      note: note.length > NOTE_LIMIT ? `${note.slice(0, NOTE_LIMIT - 1)}…` : note,
      regarding: { apiVersion: object.apiVersion, kind: object.kind, name: metadata.name, namespace: metadata.namespace, uid: metadata.uid, resourceVersion: metadata.resourceVersion },
    };
    this.options.client.request('POST', `/apis/events.k8s.io/v1/namespaces/${namespace}/events`, event).catch((error: unknown) => {
      this.options.logger.warn({ err: error, reason, object: metadata.name }, 'could not record an event');
    });
  }
}
