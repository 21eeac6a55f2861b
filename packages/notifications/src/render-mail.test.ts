import { renderMail } from './render-mail.js';
import type { MailBrand } from './brand.js';

const brand = (overrides: Partial<MailBrand> = {}): MailBrand => ({
  displayName: 'Acme Voice',
  logoUrl: 'https://acme.example/logo.png',
  primaryColor: '#0a7d3b',
  accentColor: '#5b21b6',
  language: 'en',
  origin: 'https://voice.acme.example',
  ...overrides,
});

const invitation = {
  kind: 'invitation',
  roles: ['admin'],
  acceptUrl: 'https://voice.acme.example/console/accept-invite?token=mbi_x',
  expiresAt: new Date('2027-03-01T00:00:00Z'),
} as const;

describe('rendering a notification as branded mail', () => {
  it('writes in the tenant’s language, falling back to English for one we do not write', async () => {
    expect((await renderMail(brand({ language: 'de-AT' }), 'a@example.com', invitation)).subject).toBe('Sie sind zu Acme Voice eingeladen');
    const french = await renderMail(brand({ language: 'fr' }), 'a@example.com', invitation);
    expect(french.subject).toBe('You are invited to Acme Voice');
    expect(french.text).toContain('The link works once and until March 1, 2027.');
  });

  it('sends in the tenant’s name, with its logo and colours, and the link usable from the plain-text part', async () => {
    const mail = await renderMail(brand(), 'a@example.com', invitation);
    expect(mail).toMatchObject({ to: 'a@example.com', fromName: 'Acme Voice' });
    expect(mail.html).toContain('src="https://acme.example/logo.png"');
    expect(mail.html).toContain('background-color:#0a7d3b');
    expect(mail.text).toContain('Accept the invitation https://voice.acme.example/console/accept-invite?token=mbi_x\n');
  });

  it('keeps what is not a colour out of style attributes, and a non-https logo out of the mail', async () => {
    const mail = await renderMail(
      brand({ primaryColor: 'red;background:url(https://evil.example/x)', logoUrl: 'javascript:alert(1)' }),
      'a@example.com',
      invitation,
    );
    expect(mail.html).not.toContain('evil.example');
    expect(mail.html).not.toContain('javascript:');
    expect(mail.html).toContain('background-color:#2563eb');
    // Without a logo the tenant's name heads the message.
    expect(mail.html).toMatch(/<h2[^>]*>Acme Voice<\/h2>/);
  });

  it('escapes what the tenant and user wrote instead of letting it into the markup', async () => {
    const mail = await renderMail(brand({ displayName: 'Acme <script>alert(1)</script>' }), 'a@example.com', {
      kind: 'purchase_receipt',
      packageName: '<b>Gold</b>',
      amountCents: 1999,
      currency: 'eur',
      seconds: 5400,
      activationCode: 'ABCD-EFGH-JKMN',
      codeExpiresAt: new Date('2027-01-01T00:00:00Z'),
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>Gold</b>');
    expect(mail.text).toContain('Amount paid: €19.99');
    expect(mail.text).toContain('Talk time: 1 h 30 min');
  });
});
