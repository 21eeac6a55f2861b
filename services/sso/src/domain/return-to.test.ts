import { checkReturnTo } from './return-to.js';

// The production rules (https) that the gateway-level tests, which run on http, cannot reach.
describe('checkReturnTo', () => {
  const https = { scheme: 'https' as const, hosts: ['acme.mindbot.ai', 'acme.eu-west.mindbot.ai', 'voice.acme.example'] };

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
});
