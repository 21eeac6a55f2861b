import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '@mindbot/jobs/testing';
import { expectNoSeriousA11yViolations, screenshot, until } from '../support/browser.js';
import { consoleUser, loaded, openSection, signInToConsole, useConsoleWorld } from '../support/browser-console.js';

// Outbound webhooks in the console (issue 14), over the gateway's /v1/webhook-endpoints API, with a
// receiver on loopback (npm start allows private targets locally): the admin registers an endpoint
// for purchases, sees its signing secret once, sends a test event, reads the delivery log as a
// purchase is delivered, replays it (the same event id arrives again), and disables the endpoint.

interface Body {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

const bodyOf = (hook: ReceivedWebhook) => JSON.parse(hook.body) as Body;

describe('outbound webhooks in the console', () => {
  const world = useConsoleWorld('cwhk', { displayName: 'Acme Voice', userName: 'olivia', role: 'admin' });
  let receiver: WebhookReceiver | undefined;

  afterAll(() => receiver?.close(), 30_000);

  it('registers an endpoint, shows its secret once, delivers a test and a purchase, replays it, and disables the endpoint', async () => {
    const hooks = await startWebhookReceiver();
    receiver = hooks;
    const url = `${hooks.url}/mindbot`;
    const tab = await world.newTab();
    const { page } = tab;
    await signInToConsole(page, world.origin, world.user);
    await openSection(page, 'Webhooks');
    await loaded(page);

    // A URL that is not one is refused on the field; nothing is registered.
    const form = page.getByRole('region', { name: 'New endpoint' });
    await form.getByRole('textbox', { name: 'URL' }).fill('not a url');
    await form.getByRole('checkbox', { name: 'purchase.completed' }).check();
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    await form.getByText('must be an absolute http(s) URL').waitFor({ timeout: 10_000 });
    const listed = async () =>
      (await world.platform.api(world.tenant, 'GET', '/v1/webhook-endpoints', { token: world.user.token })).body.endpoints as {
        url: string;
        status: string;
        events: string[];
      }[];
    expect(await listed()).toEqual([]);

    await form.getByRole('textbox', { name: 'URL' }).fill(url);
    await form.getByRole('textbox', { name: 'Description (optional)' }).fill('Order system');
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    const shown = page.getByRole('dialog', { name: `Signing secret of ${url}` });
    await shown.waitFor({ timeout: 20_000 });
    const secret = (await shown.getByTestId('webhook-secret').innerText()).trim();
    expect(secret).toMatch(/^whsec_/);
    await screenshot(page, 'console-webhook-secret');
    await expectNoSeriousA11yViolations(page);
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'hidden' });
    expect(await page.locator('body').innerText()).not.toContain(secret);
    expect(await listed()).toEqual([expect.objectContaining({ url, status: 'active', events: ['purchase.completed'] })]);

    const endpoint = page.getByRole('article', { name: new RegExp(url.replace(/[.:/]/g, '\\$&')) });
    await endpoint.getByText('Active', { exact: true }).waitFor({ timeout: 20_000 });
    const verify = (hook: ReceivedWebhook) =>
      new Webhook(secret).verify(hook.body, {
        'webhook-id': String(hook.headers['webhook-id']),
        'webhook-timestamp': String(hook.headers['webhook-timestamp']),
        'webhook-signature': String(hook.headers['webhook-signature']),
      }) as Body;

    // A test event: signed with the secret shown, and in the delivery log as delivered (204).
    await endpoint.getByRole('button', { name: `Send a test event to ${url}` }).click();
    const [test] = await hooks.waitFor(1, 30_000);
    if (!test) throw new Error('no test event arrived');
    expect(verify(test)).toMatchObject({ type: 'webhook.test' });
    const log = endpoint.getByRole('table', { name: `Deliveries to ${url}` });
    const row = (type: string) =>
      log.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(type.replace('.', '\\.')) }) });
    await row('webhook.test').getByText('Delivered').waitFor({ timeout: 30_000 });
    expect(await row('webhook.test').innerText()).toContain('204');

    // A purchase: its event arrives, and the log shows it.
    const buyer = await consoleUser(world.platform, world.tenant, 'bea');
    const bought = await world.platform.buyCard(world.tenant, buyer.token);
    const purchase = await until('the purchase.completed event', () =>
      hooks.received.map(bodyOf).find((b) => b.type === 'purchase.completed' && b.data.purchaseId === bought.purchaseId),
    );
    expect(verify(hooks.received.find((h) => bodyOf(h).id === purchase.id) ?? test)).toMatchObject({ id: purchase.id });
    await row('purchase.completed').first().getByText('Delivered').waitFor({ timeout: 30_000 });
    await screenshot(page, 'console-webhooks');
    await expectNoSeriousA11yViolations(page);

    // Replay: the same event (the same webhook-id) arrives again, and the log has one more delivery of it.
    const before = hooks.received.length;
    await row('purchase.completed')
      .first()
      .getByRole('button', { name: /^Replay purchase\.completed/ })
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: `purchase.completed queued again for ${url}.` })
      .waitFor({ timeout: 20_000 });
    const replayed = await until('the replayed event', () => hooks.received.slice(before).find((h) => bodyOf(h).id === purchase.id));
    expect(replayed.headers['webhook-id']).toBe(purchase.id);
    await until('two deliveries of the purchase in the log', async () =>
      (await row('purchase.completed').count()) >= 2 ? true : undefined,
    );

    // Disabled: marked so, no test can be sent, and a new purchase is not delivered to it.
    await endpoint.getByRole('button', { name: `Disable ${url}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${url} disabled` })
      .waitFor({ timeout: 20_000 });
    await endpoint.getByText('Disabled', { exact: true }).waitFor({ timeout: 20_000 });
    expect(await endpoint.getByRole('button', { name: `Send a test event to ${url}` }).isDisabled()).toBe(true);
    expect((await listed())[0]?.status).toBe('disabled');
    const quiet = hooks.received.length;
    const later = await world.platform.buyCard(world.tenant, buyer.token);
    await new Promise((r) => setTimeout(r, 5_000));
    expect(
      hooks.received
        .slice(quiet)
        .map(bodyOf)
        .filter((b) => b.data.purchaseId === later.purchaseId),
    ).toEqual([]);
    await endpoint.getByRole('button', { name: `Enable ${url}` }).waitFor();
    expect(tab.pageErrors).toEqual([]);
  }, 240_000);
});
