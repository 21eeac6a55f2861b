import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  embeddingPage,
  expectNoSeriousA11yViolations,
  launchBrowser,
  newTestPage,
  screenshot,
  SCREENSHOT_DIR,
  startStaticSite,
  until,
  widgetScript,
  type StaticSite,
  type TestPage,
  Teardown,
} from '../support/browser.js';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';
import { availableSeconds, openPanel, signInPanel } from '../support/browser-widget.js';

// A call from the embedded widget with Chromium's fake microphone, through livekit-server, to the
// agent worker of `npm start` (eSpeak voice, scripted language model): Start call → Connecting… →
// Connected, the greeting in the Transcript log and heard (the inbound audio's energy, read from the
// page's own RTCPeerConnection stats; the widget exposes nothing for it), Hang up settles the
// session and the balance drops by the seconds used.

const GREETING = 'Hello from the browser test tenant.';

/** Keeps every RTCPeerConnection the page makes (livekit-client's) where the test can read its stats. */
const RECORD_PEER_CONNECTIONS = `(() => {
  const Original = window.RTCPeerConnection;
  const made = [];
  window.__mindbotTestPeerConnections = made;
  window.RTCPeerConnection = new Proxy(Original, {
    construct(target, args) {
      const pc = Reflect.construct(target, args);
      made.push(pc);
      return pc;
    },
  });
})();`;

/** The audio the page's connections (livekit-client's) have received: inbound-rtp energy and level, and what was seen. */
async function inboundAudio(page: Page): Promise<{ energy: number; level: number; seen: string }> {
  return page.evaluate(async () => {
    const made = (window as unknown as { __mindbotTestPeerConnections?: RTCPeerConnection[] }).__mindbotTestPeerConnections ?? [];
    let energy = 0;
    let level = 0;
    const seen: string[] = [`${made.length} peer connection(s)`];
    for (const pc of made) {
      const stats = await pc.getStats();
      stats.forEach(
        (report: { type?: string; kind?: string; totalAudioEnergy?: number; audioLevel?: number; packetsReceived?: number }) => {
          if (report.type !== 'inbound-rtp' || report.kind !== 'audio') return;
          seen.push(
            `inbound audio: ${report.packetsReceived ?? 0} packets, energy ${report.totalAudioEnergy ?? 0}, level ${report.audioLevel ?? 0}`,
          );
          energy = Math.max(energy, report.totalAudioEnergy ?? 0);
          level = Math.max(level, report.audioLevel ?? 0);
        },
      );
    }
    return { energy, level, seen: seen.join('; ') };
  });
}

interface SessionRecord {
  id: string;
  status: string;
  chargedSeconds: number;
  endReason: string | null;
}

describe('a call from the embedded widget', () => {
  let platform: BrowserPlatform;
  let site: StaticSite;
  let browser: Browser;
  const teardown = new Teardown();
  let tab: TestPage | undefined;
  let tenant: string;

  beforeAll(async () => {
    site = teardown.add(await startStaticSite(), (s) => s.close());
    platform = teardown.add(await startBrowserPlatform(), (p) => p.stop());
    tenant = await platform.addTenant('call', {
      displayName: 'Acme Voice',
      greeting: GREETING,
      embedOrigins: [site.origin('shop.localhost')],
    });
    site.page('/', embeddingPage('Shop', [widgetScript(platform.tenantOrigin(tenant))]));
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
  });

  afterAll(() => teardown.run(), 90_000);

  it('connects, shows and plays the agent’s greeting, mutes, and hangs up with the seconds used charged', async () => {
    const email = `caller-${Date.now()}@shop.example`;
    const password = 'a long browser password 42';
    const token = await platform.signUp(tenant, email, password);
    const card = await platform.buyCard(tenant, token);
    expect((await platform.api(tenant, 'POST', '/v1/time-cards/activate', { token, body: { code: card.code } })).status).toBe(201);

    tab = await newTestPage(browser);
    const { page } = tab;
    await page.addInitScript(RECORD_PEER_CONNECTIONS);
    await page.goto(`${site.origin('shop.localhost')}/`);
    const panel = await openPanel(page, 'Acme Voice');
    await signInPanel(panel, email, password, true);
    expect(await availableSeconds(panel)).toBe(card.seconds);
    await screenshot(page, 'call-ready');
    await expectNoSeriousA11yViolations(page);

    const startedAt = Date.now();
    await panel.getByRole('button', { name: 'Start call' }).click();
    const status = panel.getByRole('status').filter({ hasText: /Connecting…|Connected/ });
    await status.first().waitFor({ timeout: 10_000 });
    await panel
      .getByRole('status')
      .filter({ hasText: /^Connected$/ })
      .waitFor({ timeout: 30_000 });
    const connectedAt = Date.now();

    const transcript = panel.getByRole('log', { name: 'Transcript' });
    await transcript
      .filter({ hasText: GREETING })
      .waitFor({ timeout: 30_000 })
      .catch(async (error: unknown) => {
        const shown = await transcript.innerText().catch(() => '(no transcript)');
        const agent = platform
          .output()
          .split('\n')
          .filter((line) => /agent|job|greet|error/i.test(line))
          .slice(-30)
          .join('\n');
        await writeFile(join(SCREENSHOT_DIR, '..', 'widget-call-platform.log'), platform.output());
        await screenshot(page, 'call-no-greeting');
        throw new Error(`${String(error)}\nTranscript shown: ${shown}\nAgent:\n${agent}`);
      });
    // Heard: the energy of the agent's audio received by the page rises above silence.
    // totalAudioEnergy adds up everything played so far; audioLevel is the level right now.
    let last = '';
    const heard = await until(
      'the greeting to be heard',
      async () => {
        const audio = await inboundAudio(page);
        last = audio.seen;
        return audio.energy > 0.001 ? audio : undefined;
      },
      30_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${last}`);
    });
    expect(heard.energy).toBeGreaterThan(0.001);
    await screenshot(page, 'call-connected');
    await expectNoSeriousA11yViolations(page);

    const mute = panel.getByRole('button', { name: /^(Mute|Unmute)$/ });
    expect(await mute.getAttribute('aria-pressed')).toBe('false');
    await mute.click();
    await until('the microphone muted', async () => ((await mute.getAttribute('aria-pressed')) === 'true' ? true : undefined), 5_000);
    await screenshot(page, 'call-muted');

    await panel.getByRole('button', { name: 'Hang up' }).click();
    const hungUpAt = Date.now();
    await panel.getByRole('button', { name: 'Start call' }).waitFor({ timeout: 15_000 });

    // Settled through the API: the session ended by the user, charged for the time in the room.
    const ended = await until(
      'the session settled',
      async () => {
        const sessions = (await platform.api(tenant, 'GET', '/v1/sessions', { token })).body.sessions as SessionRecord[] | undefined;
        const last = sessions?.[0];
        return last?.status === 'ended' ? last : undefined;
      },
      30_000,
    );
    expect(ended.endReason).toBe('user_hangup');
    expect(ended.chargedSeconds).toBeGreaterThanOrEqual(Math.floor((hungUpAt - connectedAt) / 1000) - 1);
    expect(ended.chargedSeconds).toBeLessThanOrEqual(Math.ceil((Date.now() - startedAt) / 1000) + 1);
    const balance = await platform.api(tenant, 'GET', '/v1/balance', { token });
    expect(balance.body.availableSeconds).toBe(card.seconds - ended.chargedSeconds);
    // The widget shows the balance after the call.
    await until('the widget’s balance after the call', async () =>
      (await availableSeconds(panel)) === card.seconds - ended.chargedSeconds ? true : undefined,
    );
    await screenshot(page, 'call-ended');
    await expectNoSeriousA11yViolations(page);
    expect(tab.pageErrors).toEqual([]);
  }, 180_000);

  it('says the microphone is blocked and how to allow it when the browser refuses it, and starts no session', async () => {
    const email = `nomic-${Date.now()}@shop.example`;
    const password = 'a long browser password 42';
    const token = await platform.signUp(tenant, email, password);
    const card = await platform.buyCard(tenant, token);
    expect((await platform.api(tenant, 'POST', '/v1/time-cards/activate', { token, body: { code: card.code } })).status).toBe(201);

    const refusing = teardown.add(await launchBrowser({ refuseMicrophone: true }), (b) => b.close());
    tab = await newTestPage(refusing, { microphone: false });
    const { page } = tab;
    await page.goto(`${site.origin('shop.localhost')}/`);
    const panel = await openPanel(page, 'Acme Voice');
    await signInPanel(panel, email, password, true);
    await panel.getByRole('button', { name: 'Start call' }).click();
    await panel.getByRole('alert').filter({ hasText: 'The microphone is blocked' }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'call-microphone-blocked');
    await expectNoSeriousA11yViolations(page);
    // Refused before any session: nothing started, nothing charged.
    const sessions = (await platform.api(tenant, 'GET', '/v1/sessions', { token })).body.sessions as SessionRecord[] | undefined;
    expect(sessions ?? []).toEqual([]);
    expect(await panel.getByRole('button', { name: 'Start call' }).isVisible()).toBe(true);
  }, 90_000);
});
