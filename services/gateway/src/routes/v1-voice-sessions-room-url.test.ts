import { jest } from '@jest/globals';
import request from 'supertest';
import { voiceSessionSchema } from '@mindbot/sdk/schemas';
import { uniqueSlug } from '@mindbot/testing';
import { startVoiceStack, type VoiceStack } from '../testing/voice-stack.js';

jest.setTimeout(90_000);

// The room URL is not built from the request: it is where LiveKit is reached (LIVEKIT_URL), the
// same whatever host, port or forwarded headers the session was started with.
describe('gateway: the room URL of a voice session', () => {
  let stack: VoiceStack;
  let tenant: string;

  beforeAll(async () => {
    tenant = uniqueSlug('room-url');
    stack = await startVoiceStack({
      provision: async (harness) => {
        await harness.provision(tenant);
      },
    });
  });

  afterAll(() => stack.stop());

  it('answers livekitUrl as LIVEKIT_URL says, not the port or forwarded host of the request', async () => {
    const { h, livekit } = stack;
    await h.grantSeconds(tenant, 'usr_room_url', 600);
    const res = await request(h.app)
      .post('/v1/voice/sessions')
      .set('Host', `${tenant}.localhost:8080`)
      .set('X-Forwarded-Host', 'evil.example:4444')
      .set('X-Forwarded-Proto', 'https')
      .set('Authorization', `Bearer ${await h.token(tenant, 'usr_room_url')}`)
      .send({});
    expect(res.status).toBe(201);
    const session = voiceSessionSchema.parse(res.body);
    expect(livekit.url).toMatch(/^wss?:\/\/127\.0\.0\.1:\d+$/);
    expect(session.livekitUrl).toBe(livekit.url);
  });
});
