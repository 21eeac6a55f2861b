import { checkReturnTo } from './return-to.js';

// The production rules (https) that the gateway-level tests, which run on http, cannot reach.
describe('checkReturnTo', () => {
  const hosts = ['acme.mindbot.ai', 'acme.eu-west.mindbot.ai', 'voice.acme.example'];
  const https = { origin: 'https://acme.mindbot.ai', hosts };

  it("accepts the tenant's own hosts and answers the re-serialised URL", () => {
    expect(checkReturnTo('https://acme.mindbot.ai/app?x=1', https)?.href).toBe('https://acme.mindbot.ai/app?x=1');
    expect(checkReturnTo('https://VOICE.acme.example/a/../b', https)?.href).toBe('https://voice.acme.example/b');
    expect(checkReturnTo('https://acme.mindbot.ai:443/', https)?.href).toBe('https://acme.mindbot.ai/');
  });

  it.each([
    ['plain http in production', 'http://acme.mindbot.ai/'],
    ['another port', 'https://acme.mindbot.ai:8443/'],
    ['a look-alike suffix', 'https://acme.mindbot.ai.evil.example/'],
    ['a parent domain', 'https://mindbot.ai/'],
    ['a sibling tenant', 'https://globex.mindbot.ai/'],
    ['credentials before the host', 'https://acme.mindbot.ai@evil.example/'],
    ['credentials on our host', 'https://user:pw@acme.mindbot.ai/'],
    ['backslash trick', 'https://evil.example\\@acme.mindbot.ai/'],
    ['an empty fragment', 'https://acme.mindbot.ai/#'],
    ['scheme-relative', '//acme.mindbot.ai/'],
    ['not a URL', 'acme.mindbot.ai'],
  ])('refuses %s', (_name, raw) => {
    expect(checkReturnTo(raw, https)).toBeUndefined();
  });

  it('accepts the https port the sign-in itself came in on, and only on that origin', () => {
    const onPort = { origin: 'https://acme.mindbot.ai:8443', hosts };
    expect(checkReturnTo('https://acme.mindbot.ai:8443/app', onPort)?.href).toBe('https://acme.mindbot.ai:8443/app');
    expect(checkReturnTo('https://acme.mindbot.ai/app', onPort)?.href).toBe('https://acme.mindbot.ai/app');
    expect(checkReturnTo('https://voice.acme.example:8443/app', onPort)).toBeUndefined();
    expect(checkReturnTo('https://acme.mindbot.ai:9443/app', onPort)).toBeUndefined();
  });

  it('on plain http (development) takes any port of the own hosts, but not https or a stranger', () => {
    const local = { origin: 'http://acme.localhost:8080', hosts: ['acme.localhost'] };
    expect(checkReturnTo('http://acme.localhost:5173/app', local)?.href).toBe('http://acme.localhost:5173/app');
    expect(checkReturnTo('https://acme.localhost/app', local)).toBeUndefined();
    expect(checkReturnTo('http://evil.localhost:8080/app', local)).toBeUndefined();
  });

  it('takes the pages of a website that embeds the widget, at exactly the origin the tenant listed', () => {
    const embedding = {
      origin: 'https://acme.mindbot.ai',
      hosts: ['acme.mindbot.ai'],
      embedOrigins: ['https://shop.example', 'http://localhost:5500'],
    };
    expect(checkReturnTo('https://shop.example/cart?x=1', embedding)?.href).toBe('https://shop.example/cart?x=1');
    expect(checkReturnTo('http://localhost:5500/', embedding)?.href).toBe('http://localhost:5500/');
    expect(checkReturnTo('http://shop.example/cart', embedding)).toBeUndefined();
    expect(checkReturnTo('https://shop.example:8443/cart', embedding)).toBeUndefined();
    expect(checkReturnTo('https://evil.shop.example/', embedding)).toBeUndefined();
    expect(checkReturnTo('https://shop.example/#code', embedding)).toBeUndefined();
    expect(checkReturnTo('https://user@shop.example/', embedding)).toBeUndefined();
  });
});
