import { captureLogger } from '@mindbot/testing';
import { startTestApiServer, type TestApiServer } from '../testing/test-api-server.js';
import { waitUntil } from '../testing/operator-harness.js';
import { EventRecorder } from './event-recorder.js';
import { KubeClient } from './kube-client.js';

interface StoredEvent {
  reason: string;
  note: string;
  series?: { count: number };
}

describe('EventRecorder against a real API server', () => {
  let api: TestApiServer;
  let recorder: EventRecorder;
  const log = captureLogger('operator');

  beforeAll(async () => {
    api = await startTestApiServer();
    recorder = new EventRecorder({
      client: new KubeClient(await api.kubeConfig(), { fieldManager: 'test' }),
      controller: 'platform.mindbot.ai/test',
      instance: 'test-0',
      logger: log.logger,
    });
  }, 90_000);

  afterAll(async () => {
    await api.stop();
  });

  const eventsAbout = async (name: string) =>
    (
      (await api.request('GET', `/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name=${name}`)).body as {
        items: StoredEvent[];
      }
    ).items;

  it('records an event about a cluster-scoped object in default, and counts a repeat on it instead of recording it again', async () => {
    const tenant = { apiVersion: 'platform.mindbot.ai/v1alpha1', kind: 'Tenant', metadata: { name: 'evt-repeat', uid: 'uid-evt-repeat' } };
    recorder.record(tenant, 'Warning', 'SecretNotFound', 'WorkloadReady', 'WorkloadReady: Secret mindbot-system/livekit does not exist');
    recorder.record(tenant, 'Warning', 'SecretNotFound', 'WorkloadReady', 'WorkloadReady: Secret mindbot-system/livekit does not exist');
    recorder.record(tenant, 'Normal', 'Ready', 'Reconcile', 'the tenant is provisioned');
    const events = await waitUntil('the repeat to be counted', async () => {
      const found = await eventsAbout('evt-repeat');
      return found.find((e) => e.reason === 'SecretNotFound')?.series?.count === 2 && found.length === 2 ? found : undefined;
    });
    expect(events.map((e) => e.reason).sort()).toEqual(['Ready', 'SecretNotFound']);
    expect(log.lines.filter((l) => ['warn', 'error', 'fatal'].includes(String(l.level)))).toEqual([]);
  }, 30_000);

  it('cuts a note to what the API server accepts', async () => {
    recorder.record(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'evt-long' } },
      'Warning',
      'ApplyFailed',
      'Apply',
      `${'x'.repeat(1_020)}ééééé and more`,
    );
    const [event] = await waitUntil('the event', async () => {
      const found = await eventsAbout('evt-long');
      return found.length > 0 ? found : undefined;
    });
    expect(Buffer.byteLength(event?.note ?? '')).toBeLessThanOrEqual(1024);
    expect(event?.note).toMatch(/^x{1000,}…$/);
  }, 30_000);
});
