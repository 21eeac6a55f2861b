import { captureLogger, startSmtpServer, type TestSmtpServer } from '@mindbot/testing';
import { createMailer } from './index.js';

describe('the mailer', () => {
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await startSmtpServer({ auth: { user: 'mindbot', pass: 'smtp-secret' } });
  });

  afterAll(async () => {
    await smtp.stop();
  });

  it('delivers through SMTP in the tenant’s name, from the configured address', async () => {
    const logged = captureLogger('mailer');
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'no-reply@mindbot.test' }, logged.logger);
    await mailer.send({
      to: 'ada@example.test',
      fromName: 'Acme Voice',
      subject: 'You are invited',
      text: 'Open http://acme.test/console/accept-invite?token=abc',
      html: '<p><a href="http://acme.test/console/accept-invite?token=abc">Accept</a></p>',
    });
    const mail = await smtp.waitFor('ada@example.test');
    expect(mail.from).toEqual({ name: 'Acme Voice', address: 'no-reply@mindbot.test' });
    expect(mail.subject).toBe('You are invited');
    expect(mail.text).toContain('http://acme.test/console/accept-invite?token=abc');
    expect(mail.html).toContain('href="http://acme.test/console/accept-invite?token=abc"');
    expect(mail.user).toBe('mindbot');
    expect(logged.lines.some((l) => String(l.msg).includes('SMTP is not configured'))).toBe(false);
  });

  it('gives every copy of a message sent once per cause the same Message-ID, and other messages their own', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'no-reply@mindbot.test' }, captureLogger('mailer').logger);
    const receipt = { to: 'dan@example.test', fromName: 'Acme Voice', subject: 'Your receipt', text: 'Code ABCD-EFGH-JKLM' };
    await mailer.send({ ...receipt, onceKey: 'acme:event:42' });
    await mailer.send({ ...receipt, onceKey: 'acme:event:42' });
    await mailer.send({ ...receipt, onceKey: 'acme:event:43' });
    await mailer.send(receipt);
    for (let i = 0; i < 50 && smtp.messages.filter((m) => m.to.includes('dan@example.test')).length < 4; i++)
      await new Promise((r) => setTimeout(r, 50));
    const ids = smtp.messages.filter((m) => m.to.includes('dan@example.test')).map((m) => m.messageId);
    expect(ids).toHaveLength(4);
    expect(ids[0]).toMatch(/^<[0-9a-f]{32}@mindbot\.test>$/);
    expect(ids[1]).toBe(ids[0]);
    expect(new Set(ids).size).toBe(3);
  });

  it('keeps a sender name with line breaks or quotes to the From header (no header of its own)', async () => {
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'no-reply@mindbot.test' }, captureLogger('mailer').logger);
    await mailer.send({
      to: 'bob@example.test',
      fromName: 'Evil "Corp"\r\nBcc: victim@example.test',
      subject: 'Hi\r\nX-Spam: 1',
      text: 'x',
    });
    const mail = await smtp.waitFor('bob@example.test');
    expect(mail.from).toEqual({ name: 'Evil "Corp" Bcc: victim@example.test', address: 'no-reply@mindbot.test' });
    expect(mail.subject).toBe('Hi X-Spam: 1');
    expect(smtp.messages.filter((m) => m.to.includes('victim@example.test'))).toEqual([]);
  });

  it('rejects when the SMTP server refuses the sender’s credentials', async () => {
    const wrong = smtp.url.replace('smtp-secret', 'wrong');
    const mailer = createMailer({ smtpUrl: wrong, from: 'no-reply@mindbot.test' }, captureLogger('mailer').logger);
    await expect(mailer.send({ to: 'carol@example.test', fromName: 'Acme', subject: 's', text: 't' })).rejects.toThrow();
    expect(smtp.messages.filter((m) => m.to.includes('carol@example.test'))).toEqual([]);
  });

  it('without SMTP, says so and writes the message, link included, to the log', async () => {
    const logged = captureLogger('mailer');
    const mailer = createMailer({ from: 'no-reply@mindbot.test' }, logged.logger);
    await mailer.send({
      to: 'dan@example.test',
      fromName: 'Acme Voice',
      subject: 'Reset',
      text: 'http://acme.test/console/reset-password?token=t1',
    });
    expect(logged.lines[0]?.msg).toMatch(/SMTP is not configured/);
    const line = logged.lines.find((l) => typeof l.mail === 'object');
    expect(line?.msg).toMatch(/SMTP is not configured: this message was not sent/);
    expect(line?.mail).toEqual({
      to: 'dan@example.test',
      fromName: 'Acme Voice',
      subject: 'Reset',
      text: 'http://acme.test/console/reset-password?token=t1',
    });
  });

  it('without SMTP and without logContent (production), logs that nothing was sent but neither the text nor the recipient', async () => {
    const logged = captureLogger('mailer');
    const mailer = createMailer({ from: 'no-reply@mindbot.test', logContent: false }, logged.logger);
    await mailer.send({ to: 'erin@example.test', fromName: 'Acme', subject: 'Reset', text: 'http://acme.test/?token=secret-link' });
    const text = JSON.stringify(logged.lines);
    expect(text).toContain('this message was not sent');
    expect(text).not.toContain('secret-link');
    expect(text).not.toContain('erin@example.test');
  });
});
