import { isBranding, loadBranding } from './branding.js';

const branding = {
  tenant: 'acme',
  displayName: 'Acme',
  logoUrl: '',
  primaryColor: '#123456',
  accentColor: '#abcdef',
  agentName: 'Ava',
  greeting: 'Hi',
  language: 'en',
  personas: [],
  defaultPersona: 'default',
};

const answering =
  (response: () => Response): typeof fetch =>
  () =>
    Promise.resolve(response());

describe('loader branding', () => {
  it('answers the branding', async () => {
    const result = await loadBranding(
      'https://acme.mindbot.ai',
      answering(() => Response.json(branding)),
    );
    expect(result).toEqual({ ok: true, branding, raw: branding });
  });

  it('calls a CORS failure (a network error to the page) and a 403 a refusal', async () => {
    const cors: typeof fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    expect(await loadBranding('https://acme.mindbot.ai', cors)).toEqual({ ok: false, refused: true });
    expect(
      await loadBranding(
        'https://acme.mindbot.ai',
        answering(() => new Response('{}', { status: 403 })),
      ),
    ).toEqual({
      ok: false,
      refused: true,
      status: 403,
    });
  });

  it('tells other failures apart from a refusal', async () => {
    expect(
      await loadBranding(
        'https://acme.mindbot.ai',
        answering(() => new Response('{}', { status: 404 })),
      ),
    ).toEqual({
      ok: false,
      refused: false,
      status: 404,
    });
    expect(
      await loadBranding(
        'https://acme.mindbot.ai',
        answering(() => Response.json({ displayName: 'x' })),
      ),
    ).toMatchObject({
      ok: false,
      refused: false,
    });
  });

  it('checks the fields the loader uses', () => {
    expect(isBranding(branding)).toBe(true);
    expect(isBranding({ ...branding, primaryColor: 1 })).toBe(false);
    expect(isBranding(null)).toBe(false);
  });
});
