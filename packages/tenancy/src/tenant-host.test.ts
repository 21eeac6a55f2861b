import { slugOfPlatformHost } from './tenant-host.js';

describe('slugOfPlatformHost', () => {
  it.each([
    ['acme.mindbot.ai', 'acme'],
    ['acme.eu-west.mindbot.ai', 'acme'],
    ['acme.localhost', 'acme'],
  ])('reads the tenant of platform host %s', (host, slug) => {
    expect(slugOfPlatformHost(host, host.endsWith('localhost') ? 'localhost' : 'mindbot.ai')).toBe(slug);
  });

  it.each(['mindbot.ai', 'voice.acme.example', 'a.b.mindbot.ai', 'acme.mars.mindbot.ai', 'acme.mindbot.ai.evil.example', 'acmemindbot.ai'])(
    'names no tenant for %s',
    (host) => {
      expect(slugOfPlatformHost(host, 'mindbot.ai')).toBeUndefined();
    },
  );
});
