import request from 'supertest';
import { startSmtpServer, type TestSmtpServer } from '@mindbot/testing';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

describe('the password-reset mail', () => {
  let smtp: TestSmtpServer;
  let h: SsoHarness;
  let acme: TestTenant;

  beforeAll(async () => {
    smtp = await startSmtpServer({ auth: { user: 'sso', pass: 'smtp-password' } });
    h = await startSsoHarness({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'no-reply@mindbot.test' } });
    acme = await h.tenant('resetmail');
  });

  afterAll(async () => {
    await h.close();
    await smtp.stop();
  });

  const post = (path: string, body: object) => request(h.app).post(path).set('Host', acme.host).send(body);

  it("arrives in the tenant's name with a console link whose token sets the new password once", async () => {
    await post('/v1/auth/password/register', { email: 'rita@acme.test', password: 'the first long passphrase' }).expect(201);
    expect((await post('/v1/auth/password/reset-request', { email: 'rita@acme.test' })).status).toBe(202);
    const mail = await smtp.waitFor('rita@acme.test');
    expect(mail.from).toEqual({ name: `Test ${acme.slug}`, address: 'no-reply@mindbot.test' });
    expect(mail.subject).toBe(`Reset your Test ${acme.slug} password`);
    // The tenant's branded template: its logo and primary colour (the Tenant manifest's branding).
    expect(mail.html).toContain(`src="https://${acme.slug}.example/logo.svg"`);
    expect(mail.html).toContain('background-color:#112233');
    const link = /(http:\/\/\S+\/console\/reset-password\?token=\S+)/.exec(mail.text)?.[1] ?? '';
    expect(link.startsWith(`http://${acme.host}/console/reset-password?token=`)).toBe(true);
    const token = new URL(link).searchParams.get('token') ?? '';

    expect((await post('/v1/auth/password/reset', { token, password: 'the second long passphrase' })).status).toBe(204);
    expect((await post('/v1/auth/password/reset', { token, password: 'the third long passphrase' })).status).toBe(400);
    expect((await post('/v1/auth/password/login', { email: 'rita@acme.test', password: 'the second long passphrase' })).status).toBe(200);
    expect((await post('/v1/auth/password/login', { email: 'rita@acme.test', password: 'the first long passphrase' })).status).toBe(401);
  });

  it('sends nothing for an unknown email, with the same 202', async () => {
    const before = smtp.messages.length;
    expect((await post('/v1/auth/password/reset-request', { email: 'nobody@acme.test' })).status).toBe(202);
    await post('/v1/auth/password/register', { email: 'sam@acme.test', password: 'sams first passphrase' }).expect(201);
    await post('/v1/auth/password/reset-request', { email: 'sam@acme.test' }).expect(202);
    await smtp.waitFor('sam@acme.test');
    expect(smtp.messages.slice(before).map((m) => m.to)).toEqual([['sam@acme.test']]);
  });

  it('answers the same 202 when the mail cannot be sent, and audits it', async () => {
    const down = await startSsoHarness({ database: h.database, env: { SMTP_URL: 'smtp://127.0.0.1:1' } });
    try {
      const tenant = await down.tenant('nomail');
      const at = (path: string, body: object) => request(down.app).post(path).set('Host', tenant.host).send(body);
      await at('/v1/auth/password/register', { email: 'tom@acme.test', password: 'toms first passphrase' }).expect(201);
      expect((await at('/v1/auth/password/reset-request', { email: 'tom@acme.test' })).status).toBe(202);
      expect((await down.auditActions(tenant)).map((a) => a.action)).toContain('password.reset_mail_failed');
    } finally {
      await down.close();
    }
  });
});
