import { Jobs, jobIdOf, PLATFORM_EVENT_QUEUE, type RelayedJob } from '@mindbot/jobs';
import { createMailer, type Mailer } from '@mindbot/mailer';
import { EXPIRING_MINUTES_QUEUE, handlePlatformEvent, notificationWorkers, registryBrands, savePreferences } from '@mindbot/notifications';
import { Registry } from 'prom-client';
import { startSmtpServer, type DeliveredMail, type TestSmtpServer } from '@mindbot/testing';
import { startBillingHarness, type BillingHarness } from './testing/harness.js';

// The users' mail end to end: billing's real purchase and metering paths emit their events in the
// money transaction, the outbox relay queues them, the notification workers render the tenant's
// branded template and send it to a real SMTP server on loopback, which this test reads.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('notifications to end users', () => {
  let h: BillingHarness;
  let smtp: TestSmtpServer;
  let jobs: Jobs;
  let workers: ReturnType<typeof notificationWorkers>;
  /** The first attempt of a message to these addresses fails at the SMTP step, as a server hiccup would. */
  const failOnce = new Set<string>();
  let keyCounter = 0;
  const metrics = new Registry();

  beforeAll(async () => {
    h = await startBillingHarness({ chunkSeconds: 60, warnSeconds: 120 });
    smtp = await startSmtpServer();
    const smtpMailer = createMailer({ smtpUrl: smtp.url, from: 'no-reply@mindbot.test' }, h.log.logger);
    const mailer: Mailer = {
      async send(message) {
        if (failOnce.delete(message.to)) throw new Error('451 try again later');
        await smtpMailer.send(message);
      },
    };
    workers = notificationWorkers({
      tenants: h.deps.tenants,
      platform: h.deps.platform,
      mailer,
      brands: registryBrands(h.deps.registry, (tenant) => `https://${tenant.slug}.example`),
      logger: h.log.logger,
      registry: metrics,
      eventQueue: { retryLimit: 3, retryDelay: 1, retryBackoff: false, expireInSeconds: 60 },
    });
    jobs = new Jobs({
      connectionString: h.databaseUrl,
      tenants: h.deps.tenants,
      platform: h.deps.platform,
      listener: h.deps.notifications,
      logger: h.log.logger,
      webhooks: { allowPrivateTargets: true, notices: () => Promise.resolve() },
      pollingIntervalSeconds: 0.5,
      relayedWorkers: workers.relayedWorkers,
      scheduledWorkers: workers.scheduledWorkers,
    });
    await jobs.start();
  }, 120_000);

  afterAll(async () => {
    await jobs.stop();
    await smtp.stop();
    await h.close();
  }, 60_000);

  const emailOf = (userId: string) => `${userId.replaceAll('_', '-')}@example.com`;
  const addUser = (tenant: string, userId: string) =>
    h.deps.tenants.forTenant(tenant).transaction((tx) => tx.user.create({ data: { id: userId, email: emailOf(userId) } }));
  const mailsTo = (userId: string, subject: RegExp) =>
    smtp.messages.filter((m) => m.to.includes(emailOf(userId)) && subject.test(m.subject));
  const waitForMail = (userId: string, subject: RegExp): Promise<DeliveredMail> =>
    smtp.waitFor(emailOf(userId), (m) => subject.test(m.subject), 20_000);

  const internal = (tenant: string, path: string, body: object) => h.internal(tenant).post(path, body);
  const startSession = async (tenant: string, userId: string) =>
    (await internal(tenant, '/sessions', { userId, startKey: `notify-${Date.now()}-${++keyCounter}` })).body as { sessionId: string };
  const beat = async (tenant: string, sessionId: string, elapsedSeconds: number) =>
    (await internal(tenant, `/sessions/${sessionId}/heartbeat`, { elapsedSeconds })).body as { action: string; remainingSeconds: number };

  /** The platform event rows of one type for one user, in the tenant's outbox. */
  const platformEvents = (tenant: string, type: string, userId: string) =>
    h.deps.tenants.forTenant(tenant).transaction(
      (tx) => tx.$queryRaw<{ id: bigint; payload: Record<string, unknown> }[]>`
        SELECT id, payload FROM outbox_events
        WHERE topic = ${PLATFORM_EVENT_QUEUE} AND payload->>'type' = ${type} AND payload->'data'->>'userId' = ${userId} ORDER BY id`,
    );
  const jobOf = (tenant: string, row: { id: bigint; payload: Record<string, unknown> }): RelayedJob => ({
    tenant,
    outboxId: String(row.id),
    payload: row.payload,
  });
  const waitForJobDone = async (tenant: string, rowId: bigint) => {
    const id = jobIdOf(h.deps.tenants.forTenant(tenant).schema, rowId);
    for (let i = 0; i < 80; i++) {
      const [job] = await jobs.boss.findJobs(PLATFORM_EVENT_QUEUE, { id });
      if (job?.state === 'completed') return;
      if (job?.state === 'failed') throw new Error(`notification job failed: ${JSON.stringify(job.output)}`);
      await sleep(250);
    }
    throw new Error('notification job did not complete');
  };

  /** A session that starts with 300 s and runs down past the 120 s warning threshold over several heartbeats. */
  const runDownPastThreshold = async (tenant: string, userId: string) => {
    await h.grant(tenant, userId, await h.packageOf(tenant, 300));
    const { sessionId } = await startSession(tenant, userId);
    const actions: string[] = [];
    for (const elapsed of [100, 190, 210, 230]) {
      h.clock.advance(elapsed === 100 ? 100 : elapsed === 190 ? 90 : 20);
      actions.push((await beat(tenant, sessionId, elapsed)).action);
    }
    await internal(tenant, `/sessions/${sessionId}/end`, { elapsedSeconds: 230, reason: 'user_hangup' });
    return actions;
  };

  it('mails the receipt of a purchase with its activation code, in the tenant’s name and branding', async () => {
    await addUser(h.tenantA, 'usr_n_buyer');
    const { code } = await h.buyCard(h.tenantA, 'usr_n_buyer');
    const mail = await waitForMail('usr_n_buyer', /receipt/);
    expect(mail.from).toEqual({ name: `Test ${h.tenantA}`, address: 'no-reply@mindbot.test' });
    expect(mail.subject).toBe(`Your Test ${h.tenantA} receipt: Starter`);
    expect(mail.text).toContain(code);
    expect(mail.text).toContain('Amount paid: $9.99');
    expect(mail.html).toContain(code);
    // The tenant's logo and colours (testManifest's branding).
    expect(mail.html).toContain(`https://${h.tenantA}.example/logo.svg`);
    expect(mail.html).toContain('#112233');
  });

  it('never sends a receipt twice: a job run again after it sent, or retried after a failed send, makes one mail', async () => {
    await addUser(h.tenantA, 'usr_n_retry');
    failOnce.add(emailOf('usr_n_retry'));
    const { code } = await h.buyCard(h.tenantA, 'usr_n_retry');
    // The first attempt failed at SMTP; the queue's retry sent it.
    const mail = await waitForMail('usr_n_retry', /receipt/);
    expect(mail.text).toContain(code);
    expect(failOnce.has(emailOf('usr_n_retry'))).toBe(false);

    const [row] = await platformEvents(h.tenantA, 'purchase.completed', 'usr_n_retry');
    if (!row) throw new Error('no purchase.completed event in the outbox');
    await waitForJobDone(h.tenantA, row.id);
    // The same job again, as a worker that died after sending would leave it for pg-boss to retry.
    expect(await handlePlatformEvent(workers.sender, jobOf(h.tenantA, row))).toBe('already_sent');
    await sleep(500);
    expect(mailsTo('usr_n_retry', /receipt/)).toHaveLength(1);
    // Operators see the failed attempt and the duplicate that was not sent on /metrics.
    const counted = await metrics.getSingleMetricAsString('mindbot_notifications_total');
    expect(counted).toMatch(/mindbot_notifications_total\{kind="purchase_receipt",outcome="failed"\} [1-9]/);
    expect(counted).toMatch(/mindbot_notifications_total\{kind="purchase_receipt",outcome="already_sent"\} [1-9]/);
  });

  it('warns of a low balance once per session, at the threshold the agent warns at, not on every heartbeat', async () => {
    await addUser(h.tenantA, 'usr_n_low');
    const actions = await runDownPastThreshold(h.tenantA, 'usr_n_low');
    expect(actions).toEqual(['continue', 'warn', 'warn', 'warn']);

    const mail = await waitForMail('usr_n_low', /running low/);
    expect(mail.from.name).toBe(`Test ${h.tenantA}`);
    expect(mail.text).toContain('You have 1 min of talk time left');
    expect(mail.text).toContain('turn these messages off');
    const events = await platformEvents(h.tenantA, 'balance.low', 'usr_n_low');
    expect(events).toHaveLength(1);
    expect(events[0]?.payload).toMatchObject({ data: { userId: 'usr_n_low', secondsAvailable: 110, thresholdSeconds: 120 } });
    const [event] = events;
    if (event) await waitForJobDone(h.tenantA, event.id);
    expect(mailsTo('usr_n_low', /running low/)).toHaveLength(1);
  });

  it('sends a user who turned low-balance mail off none, while the tenant still gets its balance.low event', async () => {
    await addUser(h.tenantA, 'usr_n_quiet');
    await h.deps.tenants.forTenant(h.tenantA).transaction((tx) => savePreferences(tx, 'usr_n_quiet', { lowBalance: false }, new Date()));
    await runDownPastThreshold(h.tenantA, 'usr_n_quiet');
    const [event, ...more] = await platformEvents(h.tenantA, 'balance.low', 'usr_n_quiet');
    expect(more).toHaveLength(0);
    if (!event) throw new Error('no balance.low event');
    await waitForJobDone(h.tenantA, event.id);
    expect(mailsTo('usr_n_quiet', /running low/)).toHaveLength(0);
    // The receipts of the purchases that gave the minutes are not optional (their jobs may run after this one).
    expect((await waitForMail('usr_n_quiet', /receipt/)).subject).toMatch(/receipt/);
  });

  it('tells users once that unused minutes expire within 7 days, from the daily job, honouring opt-outs', async () => {
    await addUser(h.tenantB, 'usr_n_expiring');
    await addUser(h.tenantB, 'usr_n_expiring_quiet');
    await addUser(h.tenantB, 'usr_n_later');
    for (const userId of ['usr_n_expiring', 'usr_n_expiring_quiet', 'usr_n_later']) await h.grant(h.tenantB, userId);
    const soon = new Date(Date.now() + 3 * 86_400_000);
    await h.deps.tenants.forTenant(h.tenantB).transaction(async (tx) => {
      await tx.minuteLot.updateMany({ where: { userId: { in: ['usr_n_expiring', 'usr_n_expiring_quiet'] } }, data: { expiresAt: soon } });
      await savePreferences(tx, 'usr_n_expiring_quiet', { minutesExpiring: false }, new Date());
    });
    // The job is scheduled daily across all workers.
    expect((await jobs.boss.getSchedules()).map((s) => s.name)).toContain(EXPIRING_MINUTES_QUEUE);

    await workers.runExpiringMinutes();
    await workers.runExpiringMinutes();
    const mail = await waitForMail('usr_n_expiring', /expires soon/);
    expect(mail.subject).toBe(`Your Test ${h.tenantB} talk time expires soon`);
    expect(mail.text).toContain('1 h of your talk time expires on');
    expect(mailsTo('usr_n_expiring', /expires soon/)).toHaveLength(1);
    expect(mailsTo('usr_n_expiring_quiet', /expires soon/)).toHaveLength(0);
    expect(mailsTo('usr_n_later', /expires soon/)).toHaveLength(0);
  });

  it('leaves out of the expiry notice the seconds a running call has used and not yet captured', async () => {
    await addUser(h.tenantB, 'usr_n_in_call');
    await h.grant(h.tenantB, 'usr_n_in_call');
    const soon = new Date(Date.now() + 3 * 86_400_000);
    await h.deps.tenants
      .forTenant(h.tenantB)
      .transaction((tx) => tx.minuteLot.updateMany({ where: { userId: 'usr_n_in_call' }, data: { expiresAt: soon } }));
    const { sessionId } = await startSession(h.tenantB, 'usr_n_in_call');
    h.clock.advance(20);
    await beat(h.tenantB, sessionId, 20);
    // The call's 20 s are charged to the session and not yet in the ledger: the lot still holds the whole hour.
    const pending = await h.deps.tenants.forTenant(h.tenantB).transaction(async (tx) => ({
      session: await tx.voiceSession.findUniqueOrThrow({ where: { id: sessionId }, select: { pendingSeconds: true } }),
      lots: await tx.minuteLot.findMany({ where: { userId: 'usr_n_in_call' }, select: { remainingSeconds: true } }),
    }));
    expect(pending).toEqual({ session: { pendingSeconds: 20 }, lots: [{ remainingSeconds: 3600 }] });

    await workers.runExpiringMinutes();
    const mail = await waitForMail('usr_n_in_call', /expires soon/);
    expect(mail.text).toContain('59 min of your talk time expires on');
    await internal(h.tenantB, `/sessions/${sessionId}/end`, { elapsedSeconds: 20, reason: 'user_hangup' });
  });

  it('writes in the tenant’s language: German when the console set the tenant to German', async () => {
    const tenant = await h.addTenant('notify-de', { displayName: 'Sprechstunde' });
    // The manifest sets the colours and logo but no language: the console's choice (platform.tenant_branding_overrides) applies.
    await h.deps.platform.tenantBrandingOverride.create({ data: { slug: tenant, language: 'de', updatedBy: 'usr_admin' } });
    await addUser(tenant, 'usr_n_german');
    const { code } = await h.buyCard(tenant, 'usr_n_german');
    const mail = await waitForMail('usr_n_german', /Quittung/);
    expect(mail.from.name).toBe('Sprechstunde');
    expect(mail.subject).toBe('Ihre Quittung von Sprechstunde: Starter');
    expect(mail.text).toContain(`Aktivierungscode\n\n${code}`);
    expect(mail.text).toMatch(/Bezahlter Betrag: 9,99\s\$/); // German number format; Intl puts a no-break space before the sign
    expect(mail.html).toContain('lang="de"');
    expect(mail.html).toContain('border-top:4px solid #112233');
  });
});
