import request from 'supertest';
import { auditPageSchema, problemSchema } from '@mindbot/sdk/schemas';
import { uniqueSlug } from '@mindbot/testing';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';

describe('gateway: reading the audit log', () => {
  let h: GatewayHarness;
  let acme: string;
  let globex: string;
  let admin: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    acme = uniqueSlug('acme');
    globex = uniqueSlug('globex');
    await h.provision(acme);
    await h.provision(globex);
    admin = await h.token(acme, 'usr_admin', ['admin']);
    // What admins did: two keys made and one revoked (the gateway's own audited actions).
    for (const name of ['first', 'second']) {
      const made = await request(h.app)
        .post('/v1/api-keys')
        .set('Host', `${acme}.localhost`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ name, permissions: ['api-keys:read'] });
      expect(made.status).toBe(201);
      if (name === 'first') {
        const revoked = await request(h.app)
          .delete(`/v1/api-keys/${(made.body as { apiKey: { id: string } }).apiKey.id}`)
          .set('Host', `${acme}.localhost`)
          .set('Authorization', `Bearer ${admin}`);
        expect(revoked.status).toBe(204);
      }
    }
  });

  afterAll(async () => {
    await h.close();
  });

  const read = (query: string, token = admin, host = `${acme}.localhost`) =>
    request(h.app).get(`/v1/audit-events${query}`).set('Host', host).set('Authorization', `Bearer ${token}`);

  it('shows an admin who did what, newest first, filtered and a page at a time', async () => {
    const all = await read('');
    expect(all.status).toBe(200);
    const page = auditPageSchema.parse(all.body);
    expect(page.entries.map((e) => e.action)).toEqual(['api_key.created', 'api_key.revoked', 'api_key.created']);
    expect(page.entries.every((e) => e.actorId === 'usr_admin')).toBe(true);
    expect(page.entries[0]?.hash).toMatch(/^[0-9a-f]{64}$/);

    const revoked = auditPageSchema.parse((await read('?action=api_key.revoked')).body);
    expect(revoked.entries).toHaveLength(1);
    const first = auditPageSchema.parse((await read('?limit=2')).body);
    expect(first.entries).toHaveLength(2);
    const rest = auditPageSchema.parse((await read(`?limit=2&cursor=${first.nextCursor ?? ''}`)).body);
    expect(rest.entries.map((e) => e.seq)).toEqual([page.entries[2]?.seq]);
    expect(rest.nextCursor).toBeNull();
    expect(auditPageSchema.parse((await read('?actor=usr_someone_else')).body).entries).toEqual([]);
    expect(auditPageSchema.parse((await read(`?to=${encodeURIComponent('2020-01-01T00:00:00Z')}`)).body).entries).toEqual([]);
  });

  it('downloads the same entries as CSV', async () => {
    const res = await read('?format=csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain(`audit-${acme}.csv`);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('seq,createdAt,actorId,actorEmail,action,target,data,requestId,hash');
    expect(lines.slice(1).map((l) => l.split(',')[4])).toEqual(['api_key.created', 'api_key.revoked', 'api_key.created']);
  });

  it('refuses members, other tenants’ admins and bad filters, and shows another tenant nothing of this one', async () => {
    const member = await h.token(acme, 'usr_member', ['member']);
    expect((await read('', member)).status).toBe(403);
    const otherAdmin = await h.token(globex, 'usr_admin', ['admin']);
    expect([401, 403]).toContain((await read('', otherAdmin)).status);
    const own = auditPageSchema.parse((await read('', otherAdmin, `${globex}.localhost`)).body);
    expect(own.entries).toEqual([]);

    for (const bad of ['?limit=0', '?limit=100000', '?cursor=abc', '?action=DROP%20TABLE', '?from=yesterday', '?color=blue']) {
      const res = await read(bad);
      expect(res.status).toBe(400);
      expect(problemSchema.parse(res.body).status).toBe(400);
    }
  });
});
