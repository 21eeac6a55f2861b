import { dispose } from '@livekit/rtc-node';
import { createTestDatabase, portAllocator, type TestDatabase } from '@mindbot/testing';
import { startBillingProcess, type BillingProcess } from './billing-process.js';
import { LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET, startGatewayHarness, type GatewayHarness } from './harness.js';
import { startLiveKit, type LiveKitServer } from './livekit.js';

export interface VoiceStack {
  database: TestDatabase;
  livekit: LiveKitServer;
  h: GatewayHarness;
  billing: BillingProcess;
  /** Stops billing, waits `downMs`, and starts it again on the same port (a restart mid-call). */
  restartBilling(downMs: number): Promise<void>;
  /** Stops everything the stack started, in reverse order. */
  stop(): Promise<void>;
}

/**
 * The real parts a voice session crosses, on loopback: a test database, livekit-server with its
 * webhooks to the gateway (listening on a real port), the gateway in process and billing in a
 * process of its own. `provision` runs before billing starts, so billing sees the tenants at once.
 */
export async function startVoiceStack(
  options: { requireAgent?: boolean; redisUrl?: string; provision?: (h: GatewayHarness) => Promise<void> } = {},
): Promise<VoiceStack> {
  const database = await createTestDatabase();
  // Two different ports, and LiveKit's outside them: the gateway and billing bind theirs only later.
  const nextPort = portAllocator();
  const gatewayPort = await nextPort();
  const billingPort = await nextPort();
  const livekit = await startLiveKit({
    apiKey: LIVEKIT_DEV_KEY,
    apiSecret: LIVEKIT_DEV_SECRET,
    webhookUrl: `http://127.0.0.1:${gatewayPort}/v1/webhooks/livekit`,
    avoidPorts: [gatewayPort, billingPort],
  });
  const h = await startGatewayHarness({
    database,
    billingUrl: `http://127.0.0.1:${billingPort}`,
    livekit: { url: livekit.url, apiUrl: livekit.apiUrl },
    ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
    ...(options.requireAgent === undefined ? {} : { requireAgent: options.requireAgent }),
  });
  await options.provision?.(h);
  const redis = options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl };
  const billing = await startBillingProcess({ databaseUrl: database.url, issuer: h.issuer, port: billingPort, ...redis });
  // LiveKit's webhooks arrive over real HTTP at this port (closed by h.close()).
  await h.listen(gatewayPort);
  const stack: VoiceStack = {
    database,
    livekit,
    h,
    billing,
    async restartBilling(downMs) {
      await stack.billing.stop();
      await new Promise((r) => setTimeout(r, downMs));
      stack.billing = await startBillingProcess({ databaseUrl: database.url, issuer: h.issuer, port: billingPort, ...redis });
    },
    async stop() {
      await h.close();
      await stack.billing.stop();
      await livekit.stop();
      await dispose();
      await database.dispose();
    },
  };
  return stack;
}
