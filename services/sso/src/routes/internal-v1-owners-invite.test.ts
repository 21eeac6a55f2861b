import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ownersInvitedSchema } from '@mindbot/sdk/schemas';
import { startSmtpServer, type TestSmtpServer } from '@mindbot/testing';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

describe('the platform invites the owners a Tenant names (POST /internal/v1/tenants/:tenant/owners/invite)', () => {
  let smtp: TestSmtpServer;
  let h: SsoHarness;
  let acme: TestTenant;
  const serviceToken = randomBytes(32).toString('base64url');

  beforeAll(async () => {
    smtp = await startSmtpServer();
    h = await startSsoHarness({
      env: { SMTP_URL: smtp.url, SSO_SERVICE_TOKENS: `${serviceToken},${randomBytes(32).toString('base64url')}`, SSO_PUBLIC_PORT: '8080' },
    });
    acme = await h.tenant('owners');
  });

  afterAll(async () => {
    await h.close();
    await smtp.stop();
  });

  const inviteOwners = (slug: string, body: object, token = serviceToken) =>
    request(h.app).post(`/internal/v1/tenants/${slug}/owners/invite`).set('Authorization', `Bearer ${token}`).send(body);
  const invitations = () =>
    h.deps.tenants.forTenant(acme.slug).transaction((tx) => tx.invitation.findMany({ orderBy: { createdAt: 'asc' } }));

  it('invites each email as an owner once: calling again sends nothing; the invited owner accepts and is an owner', async () => {
    const first = await inviteOwners(acme.slug, { emails: ['Olga@Owner.test', 'oscar@owner.test', 'olga@owner.test'] });
    expect(first.status).toBe(200);
    expect(ownersInvitedSchema.parse(first.body)).toEqual({ invited: ['olga@owner.test', 'oscar@owner.test'], skipped: [] });
    const mail = await smtp.waitFor('olga@owner.test');
    await smtp.waitFor('oscar@owner.test');
    // No request to read the origin from: the tenant's own domain, on SSO_PUBLIC_SCHEME and SSO_PUBLIC_PORT.
    const link = /(\S+\/console\/accept-invite\?token=\S+)/.exec(mail.text)?.[1] ?? '';
    expect(link.startsWith(`http://${acme.host}:8080/console/accept-invite?token=`)).toBe(true);
    expect(mail.from.name).toBe(`Test ${acme.slug}`);
    expect((await invitations()).map((i) => [i.email, i.roles, i.invitedBy])).toEqual([
      ['olga@owner.test', ['owner'], null],
      ['oscar@owner.test', ['owner'], null],
    ]);

    const sent = smtp.messages.length;
    const again = await inviteOwners(acme.slug, { emails: ['olga@owner.test', 'oscar@owner.test'] });
    expect(again.body).toEqual({ invited: [], skipped: ['olga@owner.test', 'oscar@owner.test'] });
    expect(smtp.messages.length).toBe(sent);
    expect(await invitations()).toHaveLength(2);

    const token = new URL(link).searchParams.get('token') ?? '';
    const accepted = await request(h.app)
      .post('/v1/invitations/accept')
      .set('Host', acme.host)
      .send({ token, password: 'the first owner passphrase' });
    expect(accepted.status).toBe(200);
    const me = await request(h.app)
      .get('/v1/auth/me')
      .set({ Host: acme.host, Authorization: `Bearer ${accepted.body.access_token as string}` });
    expect(me.body.roles).toEqual(['owner']);

    // An owner already: skipped even once the invitation is used.
    const third = await inviteOwners(acme.slug, { emails: ['olga@owner.test', 'new@owner.test'] });
    expect(third.body).toEqual({ invited: ['new@owner.test'], skipped: ['olga@owner.test'] });
    const audit = await h.deps.tenants
      .forTenant(acme.slug)
      .transaction((tx) => tx.auditEvent.findMany({ where: { action: 'invitation.created' }, select: { actorId: true, data: true } }));
    expect(audit).toHaveLength(3);
    expect(audit.every((a) => a.actorId === null && (a.data as { invitedBy: string }).invitedBy === 'platform')).toBe(true);
  });

  it('refuses without a valid service token (401) or a user token, an unknown tenant (404) and malformed bodies (400); nothing is sent', async () => {
    const sent = smtp.messages.length;
    const before = (await invitations()).length;
    expect((await inviteOwners(acme.slug, { emails: ['x@owner.test'] }, 'wrong-token-wrong-token-wrong-token')).status).toBe(401);
    const admin = await h.tokenFor(acme, ['owner']);
    expect((await inviteOwners(acme.slug, { emails: ['x@owner.test'] }, admin)).status).toBe(401);
    expect(
      (
        await request(h.app)
          .post(`/internal/v1/tenants/${acme.slug}/owners/invite`)
          .send({ emails: ['x@owner.test'] })
      ).status,
    ).toBe(401);
    expect((await inviteOwners('no-such-tenant', { emails: ['x@owner.test'] })).status).toBe(404);
    for (const body of [{}, { emails: [] }, { emails: ['not an email'] }, { emails: 'x@owner.test' }])
      expect((await inviteOwners(acme.slug, body)).status).toBe(400);
    expect(smtp.messages.length).toBe(sent);
    expect(await invitations()).toHaveLength(before);
  });

  it('refuses every call when no service token is configured', async () => {
    const bare = await startSsoHarness({ database: h.database });
    try {
      const res = await request(bare.app)
        .post(`/internal/v1/tenants/${acme.slug}/owners/invite`)
        .set('Authorization', 'Bearer ')
        .send({ emails: ['x@owner.test'] });
      expect(res.status).toBe(401);
    } finally {
      await bare.close();
    }
  });
});
