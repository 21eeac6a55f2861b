import { checkDispatch } from './dispatch.js';

const dispatch = {
  tenant: 'acme',
  tenantName: 'Acme',
  userId: 'usr_1',
  sessionId: 'vs_01jzzzzzzzzzzzzzzzzzzzzzzz',
  startedAt: '2026-12-06T10:00:00.000Z',
  jobToken: `mbj_${'a'.repeat(43)}`,
  persona: { id: 'default', name: 'Ada', voice: 'aurora', language: 'en', instructions: 'Be kind.', greeting: 'Hi!' },
};
const room = {
  name: 'mb_acme_vs_01jzzzzzzzzzzzzzzzzzzzzzzz',
  metadata: JSON.stringify({ tenant: 'acme', userId: 'usr_1', sessionId: dispatch.sessionId, startedAt: dispatch.startedAt }),
};

// A worker runs only calls it can vouch for: the dispatch, the room it was sent to and the tenant it serves must agree.
describe('agent: which dispatched jobs a worker takes', () => {
  it('takes a dispatch that matches its room, on the shared pool and on the tenant’s own worker', () => {
    expect(checkDispatch(JSON.stringify(dispatch), room, undefined)).toMatchObject({
      ok: true,
      dispatch: { tenant: 'acme', userId: 'usr_1' },
    });
    expect(checkDispatch(JSON.stringify(dispatch), room, 'acme').ok).toBe(true);
  });

  it('refuses another tenant’s job on a dedicated worker', () => {
    expect(checkDispatch(JSON.stringify(dispatch), room, 'globex')).toEqual({ ok: false, refusal: 'other_tenant' });
  });

  it('refuses a dispatch whose room is another session’s or another tenant’s', () => {
    expect(checkDispatch(JSON.stringify(dispatch), { ...room, name: 'mb_globex_vs_01jzzzzzzzzzzzzzzzzzzzzzzz' }, undefined)).toEqual({
      ok: false,
      refusal: 'room_mismatch',
    });
    expect(
      checkDispatch(
        JSON.stringify(dispatch),
        { ...room, metadata: JSON.stringify({ tenant: 'acme', userId: 'usr_2', sessionId: dispatch.sessionId }) },
        undefined,
      ),
    ).toEqual({
      ok: false,
      refusal: 'room_mismatch',
    });
  });

  it('refuses unreadable or incomplete metadata', () => {
    expect(checkDispatch('not json', room, undefined)).toEqual({ ok: false, refusal: 'unreadable_metadata' });
    expect(checkDispatch(JSON.stringify({ ...dispatch, jobToken: 'svc_platform_token' }), room, undefined)).toEqual({
      ok: false,
      refusal: 'unreadable_metadata',
    });
  });
});
