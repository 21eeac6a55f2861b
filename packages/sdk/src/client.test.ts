import { MindBotApiError, MindBotClient } from './client.js';

interface Seen {
  method: string;
  url: string;
  authorization: string | null;
  body: unknown;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function recording(answer: () => Response): { seen: Seen[]; fetch: typeof fetch } {
  const seen: Seen[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    seen.push({
      method: init?.method ?? 'GET',
      url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      authorization: headers.get('authorization'),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    return Promise.resolve(answer());
  };
  return { seen, fetch: fetchImpl };
}

const tokens = { token_type: 'Bearer', access_token: 'at', refresh_token: 'rt', expires_in: 900, session_id: 'ses_1' };

describe('MindBotClient', () => {
  it('registers with a password anonymously and answers the tokens', async () => {
    const { seen, fetch } = recording(() => json(201, tokens));
    const client = new MindBotClient({ baseUrl: 'https://acme.mindbot.ai/', credential: 'stale-token', fetch });
    expect(await client.register('new@example.com', 'long enough password')).toMatchObject({ access_token: 'at', refresh_token: 'rt' });
    await client.register('named@example.com', 'long enough password', { displayName: 'Ada' });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: 'https://acme.mindbot.ai/v1/auth/password/register',
        authorization: null,
        body: { email: 'new@example.com', password: 'long enough password' },
      },
      {
        method: 'POST',
        url: 'https://acme.mindbot.ai/v1/auth/password/register',
        authorization: null,
        body: { email: 'named@example.com', password: 'long enough password', displayName: 'Ada' },
      },
    ]);
  });

  it('raises a refused registration as the problem, with the policy’s reasons', async () => {
    const problem = {
      type: 'about:blank',
      title: 'Validation failed',
      status: 400,
      detail: 'The password does not meet the policy.',
      code: 'validation_failed',
      errors: [{ path: 'body.password', message: 'at least 12 characters' }],
    };
    const { fetch } = recording(() => json(400, problem));
    const error = await new MindBotClient({ baseUrl: 'https://acme.mindbot.ai', fetch })
      .register('a@example.com', 'short')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MindBotApiError);
    expect(error instanceof MindBotApiError ? [error.status, error.code, error.problem.errors] : []).toEqual([
      400,
      'validation_failed',
      [{ path: 'body.password', message: 'at least 12 characters' }],
    ]);
  });

  it('activates a time card as the signed-in user and answers the credited lot', async () => {
    const activation = { timeCardId: 'tc_1', lotId: 'lot_1', seconds: 3600, expiresAt: '2027-12-06T00:00:00.000Z' };
    const { seen, fetch } = recording(() => json(201, activation));
    const client = new MindBotClient({ baseUrl: 'https://acme.mindbot.ai', credential: () => 'at1', fetch });
    expect(await client.activateTimeCard('ABCD-EFGH-JKLM')).toEqual(activation);
    expect(seen).toEqual([
      {
        method: 'POST',
        url: 'https://acme.mindbot.ai/v1/time-cards/activate',
        authorization: 'Bearer at1',
        body: { code: 'ABCD-EFGH-JKLM' },
      },
    ]);
  });

  it('raises a refused activation with the API’s code and message', async () => {
    const used = {
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'This activation code has already been used.',
      code: 'conflict',
    };
    const { fetch } = recording(() => json(409, used));
    const error = await new MindBotClient({ baseUrl: 'https://acme.mindbot.ai', credential: 'at', fetch })
      .activateTimeCard('ABCD-EFGH-JKLM')
      .catch((e: unknown) => e);
    expect(error instanceof MindBotApiError ? [error.status, error.code, error.message] : []).toEqual([
      409,
      'conflict',
      'This activation code has already been used.',
    ]);
  });
});
