import { escapeHtml, hostedPageCsp, hostedPageHtml } from './hosted-page.js';

const tenant = {
  displayName: 'Acme Voice',
  language: 'de',
  logoUrl: 'https://cdn.acme.example/logo.svg',
  primaryColor: '#112233',
  accentColor: '#AABBCC',
};

describe('the hosted page', () => {
  it('shows the tenant’s name, language, logo as favicon and colours, around the widget opened inline', () => {
    const html = hostedPageHtml(tenant);
    expect(html).toMatch(/^<!doctype html>\n<html lang="de">/);
    expect(html).toContain('<title>Acme Voice</title>');
    expect(html).toContain('<link rel="icon" href="https://cdn.acme.example/logo.svg">');
    expect(html).toContain('--brand-primary: #112233; --brand-accent: #aabbcc;');
    expect(html).toContain('<script src="/widget.js" data-mode="inline" data-container="#widget" async></script>');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/mindbot/i);
  });

  it('escapes every value, and keeps anything but a hex colour, a language tag or an http(s) logo out', () => {
    const html = hostedPageHtml({
      displayName: `</title><script>alert("x")</script> & 'co'`,
      language: 'en"><script>',
      logoUrl: 'javascript:alert(1)',
      primaryColor: 'red;}</style><script>alert(1)</script>',
      accentColor: '#12345',
    });
    expect(html).toContain('<title>&lt;/title&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</title>');
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toContain('<html lang="en">');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('rel="icon"');
    expect(html).toContain('--brand-primary: #1f2937; --brand-accent: #2563eb;');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('allows scripts from its own host only, and calls to its host and LiveKit', () => {
    const csp = hostedPageCsp({ logoUrl: tenant.logoUrl, livekitUrl: 'wss://livekit.eu-west.example', https: true });
    const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'", 'wss://livekit.eu-west.example', 'https://livekit.eu-west.example']);
    expect(directives.get('img-src')).toContain('https://cdn.acme.example');
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.has('upgrade-insecure-requests')).toBe(true);
    const local = hostedPageCsp({ logoUrl: 'nope', livekitUrl: undefined, https: false });
    expect(local).toContain("connect-src 'self';");
    expect(local).not.toContain('upgrade-insecure-requests');
  });
});
