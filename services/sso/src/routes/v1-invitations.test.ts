import { decodeJwt } from 'jose';
import request from 'supertest';
import { newId } from '@mindbot/ids';
import { invitationListSchema, invitationPreviewSchema, invitationSchema, meSchema, tokenResponseSchema } from '@mindbot/sdk/schemas';
import { startSmtpServer, type TestSmtpServer } from '@mindbot/testing';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

describe('invitations: an admin invites by email, the invited accept through the mailed link', () => {
  let smtp: TestSmtpServer;
  let h: SsoHarness;
  let acme: TestTenant;
  let owner: string;
  let admin: string;
  let member: string;
  const password = 'a long enough passphrase';

  beforeAll(async () => {
    smtp = await startSmtpServer();
    h = await startSsoHarness({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'no-reply@mindbot.test' } });
    acme = await h.tenant('invite');
    owner = await h.tokenFor(acme, ['owner']);
    admin = await h.tokenFor(acme, ['admin']);
    member = await h.tokenFor(acme, ['member']);
  });

  afterAll(async () => {
    await h.close();
    await smtp.stop();
  });

  const as = (token: string) => ({ Host: acme.host, Authorization: `Bearer ${token}` });
  const anonymous = () => ({ Host: acme.host });
  const invite = (token: string, body: object) => request(h.app).post('/v1/invitations').set(as(token)).send(body);
  const preview = (token: string) => request(h.app).post('/v1/invitations/preview').set(anonymous()).send({ token });
  const accept = (body: object) => request(h.app).post('/v1/invitations/accept').set(anonymous()).send(body);
  /** The link in the latest mail to `email`, and the token in it. */
  const mailedLink = async (email: string, after = 0) => {
    const mail = await smtp.waitFor(email, (m) => smtp.messages.indexOf(m) >= after);
    const link = /(http:\/\/\S+\/console\/accept-invite\?token=\S+)/.exec(mail.text)?.[1] ?? '';
    return { mail, link, token: new URL(link).searchParams.get('token') ?? '' };
  };
  const invitationRows = (email: string) =>
    h.deps.tenants.forTenant(acme.slug).transaction((tx) => tx.invitation.findMany({ where: { email }, orderBy: { createdAt: 'asc' } }));
  const userByEmail = (email: string) =>
    h.deps.tenants
      .forTenant(acme.slug)
      .transaction((tx) => tx.user.findUnique({ where: { email }, select: { id: true, displayName: true } }));

  it('invite → the mail with the link → preview → accept with a password → signed in with the invited roles → the link is used up', async () => {
    const adminId = decodeJwt(admin).sub ?? '';
    const created = await invite(admin, { email: 'Ada@Example.test', roles: ['admin', 'member'] });
    expect(created.status).toBe(201);
    const invitation = invitationSchema.parse(created.body);
    expect(invitation).toMatchObject({ email: 'ada@example.test', roles: ['admin', 'member'], status: 'pending', invitedBy: adminId });
    const days = (Date.parse(invitation.expiresAt) - Date.parse(invitation.createdAt)) / 86_400_000;
    expect(days).toBeCloseTo(7, 2);

    const { mail, link, token } = await mailedLink('ada@example.test');
    expect(mail.from).toEqual({ name: `Test ${acme.slug}`, address: 'no-reply@mindbot.test' });
    expect(mail.subject).toContain(`Test ${acme.slug}`);
    expect(link.startsWith(`http://${acme.host}/console/accept-invite?token=`)).toBe(true);
    expect(mail.html).toContain('/console/accept-invite?token=');
    // Only the hash is kept.
    const [row] = await invitationRows('ada@example.test');
    expect(row?.tokenHash).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(token);

    const listed = invitationListSchema.parse((await request(h.app).get('/v1/invitations').set(as(admin)).expect(200)).body);
    expect(listed.invitations.map((i) => i.id)).toContain(invitation.id);

    const shown = await preview(token);
    expect(shown.status).toBe(200);
    expect(invitationPreviewSchema.parse(shown.body)).toEqual({
      email: 'ada@example.test',
      roles: ['admin', 'member'],
      tenantName: `Test ${acme.slug}`,
      expiresAt: invitation.expiresAt,
    });

    const accepted = await accept({ token, password, displayName: 'Ada' });
    expect(accepted.status).toBe(200);
    const tokens = tokenResponseSchema.parse(accepted.body);
    const me = meSchema.parse((await request(h.app).get('/v1/auth/me').set(as(tokens.access_token)).expect(200)).body);
    expect(me).toMatchObject({ email: 'ada@example.test', displayName: 'Ada', roles: ['admin', 'member'] });
    // The invited admin can do what admins do.
    expect((await request(h.app).get('/v1/invitations').set(as(tokens.access_token))).status).toBe(200);
    // And signs in with the password chosen.
    expect(
      (await request(h.app).post('/v1/auth/password/login').set(anonymous()).send({ email: 'ada@example.test', password })).status,
    ).toBe(200);

    // Single use: the link neither previews nor accepts again, and is no longer pending.
    expect((await preview(token)).status).toBe(404);
    const again = await accept({ token, password: 'another long passphrase' });
    expect(again.status).toBe(404);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await invitationRows('ada@example.test')).map((r) => r.status)).toEqual(['accepted']);
    const pending = invitationListSchema.parse((await request(h.app).get('/v1/invitations').set(as(admin))).body);
    expect(pending.invitations.map((i) => i.id)).not.toContain(invitation.id);

    const audit = await h.auditActions(acme);
    expect(audit).toEqual(
      expect.arrayContaining([
        { action: 'invitation.created', data: { roles: ['admin', 'member'], replaced: [], invitedBy: 'admin' } },
        { action: 'invitation.accepted', data: { roles: ['admin', 'member'], newUser: true, method: 'link' } },
      ]),
    );
    const actors = await h.deps.tenants
      .forTenant(acme.slug)
      .transaction((tx) => tx.auditEvent.findMany({ where: { target: invitation.id }, select: { action: true, actorId: true } }));
    expect(actors).toEqual(
      expect.arrayContaining([
        { action: 'invitation.created', actorId: adminId },
        { action: 'invitation.accepted', actorId: me.id },
      ]),
    );
  });

  it('adds the invited roles to an existing user without touching their password', async () => {
    const email = `existing-${newId('user')}@example.test`;
    const registered = await request(h.app).post('/v1/auth/password/register').set(anonymous()).send({ email, password }).expect(201);
    const userId = decodeJwt(registered.body.access_token as string).sub ?? '';
    const before = smtp.messages.length;
    await invite(admin, { email, roles: ['admin'] }).expect(201);
    const { token } = await mailedLink(email, before);
    const accepted = await accept({ token });
    expect(accepted.status).toBe(200);
    const me = meSchema.parse(
      (
        await request(h.app)
          .get('/v1/auth/me')
          .set(as(accepted.body.access_token as string))
      ).body,
    );
    expect(me).toMatchObject({ id: userId, roles: ['admin', 'member'] });
    expect((await request(h.app).post('/v1/auth/password/login').set(anonymous()).send({ email, password })).status).toBe(200);
  });

  it('two uses of one link at once: one signs in, the other is refused, and one account exists', async () => {
    const email = `race-${newId('user')}@example.test`;
    const before = smtp.messages.length;
    await invite(admin, { email, roles: ['admin'] }).expect(201);
    const { token } = await mailedLink(email, before);
    const answers = await Promise.all([accept({ token, password }), accept({ token, password })]);
    expect(answers.map((a) => a.status).filter((status) => status === 200)).toHaveLength(1);
    expect(answers.every((a) => [200, 404, 409].includes(a.status))).toBe(true);
    expect((await invitationRows(email)).map((r) => r.status)).toEqual(['accepted']);
    expect(await h.deps.tenants.forTenant(acme.slug).transaction((tx) => tx.user.count({ where: { email } }))).toBe(1);
    expect((await accept({ token, password })).status).toBe(404);
  });

  it('a new account needs a password the policy accepts (422 naming the problems); nothing is used or created', async () => {
    const email = `weak-${newId('user')}@example.test`;
    const before = smtp.messages.length;
    await invite(admin, { email }).expect(201);
    const { token } = await mailedLink(email, before);
    const missing = await accept({ token });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([{ path: 'body.password', message: 'is required for a new account' }]);
    const weak = await accept({ token, password: 'short' });
    expect(weak.status).toBe(422);
    expect(weak.body.errors).toEqual(expect.arrayContaining([{ path: 'body.password', message: 'must be at least 12 characters' }]));
    expect(await userByEmail(email)).toBeNull();
    expect((await invitationRows(email)).map((r) => r.status)).toEqual(['pending']);
    // Still usable, with the default role.
    const accepted = await accept({ token, password });
    expect(accepted.status).toBe(200);
    expect(decodeJwt(accepted.body.access_token as string).roles).toEqual(['member']);
  });

  it('a new invitation replaces the pending one; a revoked or expired link answers the same 404 as an unknown one', async () => {
    const email = `replaced-${newId('user')}@example.test`;
    const first = smtp.messages.length;
    await invite(admin, { email }).expect(201);
    const old = await mailedLink(email, first);
    const second = smtp.messages.length;
    const replacing = invitationSchema.parse((await invite(admin, { email }).expect(201)).body);
    const fresh = await mailedLink(email, second);
    expect(fresh.token).not.toBe(old.token);
    const unknown = await preview('mbi_not-a-token-anyone-was-sent');
    expect(unknown.status).toBe(404);
    const replaced = await preview(old.token);
    expect(replaced.status).toBe(404);
    expect(replaced.body.detail).toBe(unknown.body.detail);
    expect((await preview(fresh.token)).status).toBe(200);

    expect((await request(h.app).delete(`/v1/invitations/${replacing.id}`).set(as(admin))).status).toBe(204);
    expect((await request(h.app).delete(`/v1/invitations/${replacing.id}`).set(as(admin))).status).toBe(404);
    const revoked = await preview(fresh.token);
    expect(revoked.status).toBe(404);
    expect(revoked.body.detail).toBe(unknown.body.detail);
    expect((await accept({ token: fresh.token, password })).status).toBe(404);
    expect(await userByEmail(email)).toBeNull();
    expect((await h.auditActions(acme)).map((a) => a.action)).toContain('invitation.revoked');

    const later = smtp.messages.length;
    const expiring = invitationSchema.parse((await invite(admin, { email }).expect(201)).body);
    const { token } = await mailedLink(email, later);
    await h.deps.tenants
      .forTenant(acme.slug)
      .transaction((tx) => tx.invitation.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1000) } }));
    const expired = await preview(token);
    expect(expired.status).toBe(404);
    expect(expired.body.detail).toBe(unknown.body.detail);
    expect((await accept({ token, password })).status).toBe(404);
    expect(await userByEmail(email)).toBeNull();
  });

  it('refuses without a token (401), for a member (403), an admin inviting an owner (403), an unknown role (422 naming it) and malformed bodies (400); nothing is sent or kept', async () => {
    const email = `refused-${newId('user')}@example.test`;
    const before = smtp.messages.length;
    expect((await request(h.app).post('/v1/invitations').set(anonymous()).send({ email })).status).toBe(401);
    expect((await request(h.app).get('/v1/invitations').set(anonymous())).status).toBe(401);
    const byMember = await invite(member, { email });
    expect(byMember.status).toBe(403);
    expect(byMember.body.code).toBe('forbidden');
    expect((await request(h.app).get('/v1/invitations').set(as(member))).status).toBe(403);
    expect(
      (
        await request(h.app)
          .delete(`/v1/invitations/${newId('invitation')}`)
          .set(as(member))
      ).status,
    ).toBe(403);
    expect((await invite(admin, { email, roles: ['owner'] })).status).toBe(403);
    const unknown = await invite(admin, { email, roles: ['member', 'wizard'] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ path: 'body.roles', message: 'no role named wizard' }]);
    for (const body of [
      { email: 'not-an-email' },
      { email, roles: [] },
      { email, roles: ['member', 'member'] },
      { email, extra: true },
      {},
    ]) {
      const bad = await invite(admin, body);
      expect(bad.status).toBe(400);
      expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect((await accept({ password })).status).toBe(400);
    expect((await preview('')).status).toBe(400);
    expect((await request(h.app).post('/v1/invitations').set(as(admin)).set('Content-Type', 'application/json').send('{oops')).status).toBe(
      400,
    );
    expect(await invitationRows(email)).toEqual([]);
    expect(smtp.messages.length).toBe(before);

    // An owner may invite an owner.
    expect((await invite(owner, { email, roles: ['owner'] })).status).toBe(201);
  });

  it('answers 503 and keeps no invitation when the mail cannot be sent', async () => {
    const down = await startSsoHarness({ database: h.database, env: { SMTP_URL: 'smtp://127.0.0.1:1' } });
    try {
      const tenant = await down.tenant('nomail');
      const token = await down.tokenFor(tenant, ['admin']);
      const res = await request(down.app)
        .post('/v1/invitations')
        .set({ Host: tenant.host, Authorization: `Bearer ${token}` })
        .send({ email: 'lost@example.test' });
      expect(res.status).toBe(503);
      const rows = await down.deps.tenants.forTenant(tenant.slug).transaction((tx) => tx.invitation.findMany());
      expect(rows.map((r) => r.status)).toEqual(['revoked']);
    } finally {
      await down.close();
    }
  });
});
