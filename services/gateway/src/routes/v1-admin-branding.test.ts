import request from 'supertest';
import { apiKeyCreatedSchema, BRANDING_VOICES, brandingSchema, brandingSettingsViewSchema, problemSchema } from '@mindbot/sdk/schemas';
import { BRANDING_DEFAULTS, VOICES, type TenantManifest } from '@mindbot/tenancy';
import { BrandingOverrides } from '@mindbot/tenant-registry';
import { uniqueSlug } from '@mindbot/testing';
import { BrandingEditRecords } from '../data/branding-edit-records.js';
import { BrandingEdits } from '../domain/branding-edits.js';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';

/** The manifest sets the agent's name and the accent colour; it leaves the rest to the console. */
function leaveToTheConsole(manifest: TenantManifest): void {
  delete manifest.spec.displayName;
  delete manifest.spec.branding.greeting;
  delete manifest.spec.branding.primaryColor;
  delete manifest.spec.branding.logoUrl;
  delete manifest.spec.agent.voice;
  delete manifest.spec.agent.persona;
}

describe('gateway: GET and PATCH /v1/admin/branding (branding edited beside the manifest, ADR 0055)', () => {
  let h: GatewayHarness;
  let acme: string;
  let globex: string;
  let admin: string;
  const host = () => `${acme}.localhost`;

  beforeAll(async () => {
    h = await startGatewayHarness();
    acme = uniqueSlug('brandadm');
    globex = uniqueSlug('brandadm');
    await h.provision(acme, leaveToTheConsole);
    await h.provision(globex, leaveToTheConsole);
    admin = await h.token(acme, 'usr_admin', ['admin']);
  });

  afterAll(async () => {
    await h.close();
  });

  const patch = (body: unknown, token = admin) =>
    request(h.app)
      .patch('/v1/admin/branding')
      .set('Host', host())
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);
  const adminView = async () => {
    const res = await request(h.app).get('/v1/admin/branding').set('Host', host()).set('Authorization', `Bearer ${admin}`);
    expect(res.status).toBe(200);
    return brandingSettingsViewSchema.parse(res.body);
  };
  const widgetBranding = async () => brandingSchema.parse((await request(h.app).get('/v1/branding').set('Host', host())).body);

  it('shows each setting with who decides it: the manifest’s, or the default where the manifest leaves it out', async () => {
    const view = await adminView();
    expect(view.settings).toEqual({
      displayName: acme,
      agentName: 'Tess',
      primaryColor: BRANDING_DEFAULTS.primaryColor,
      accentColor: '#445566',
      logoUrl: null,
      greeting: BRANDING_DEFAULTS.greeting,
      voice: BRANDING_DEFAULTS.voice,
      language: 'en',
      instructions: BRANDING_DEFAULTS.instructions,
    });
    expect(view.managedBy).toEqual({
      displayName: 'default',
      agentName: 'manifest',
      primaryColor: 'default',
      accentColor: 'manifest',
      logoUrl: 'default',
      greeting: 'default',
      voice: 'default',
      language: 'default',
      instructions: 'default',
    });
  });

  it('saves an admin’s colour and greeting, which the widget’s branding shows at once, and audits who changed what', async () => {
    const res = await patch({ primaryColor: '#aa2200', greeting: 'Welcome to Acme, how can I help?', displayName: 'Acme Voice' });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const saved = brandingSettingsViewSchema.parse(res.body);
    expect(saved.settings).toMatchObject({
      primaryColor: '#aa2200',
      greeting: 'Welcome to Acme, how can I help?',
      displayName: 'Acme Voice',
    });
    expect(saved.managedBy).toMatchObject({ primaryColor: 'console', greeting: 'console', displayName: 'console', agentName: 'manifest' });
    expect(await adminView()).toEqual(saved);

    const widget = await widgetBranding();
    expect(widget).toMatchObject({ displayName: 'Acme Voice', primaryColor: '#aa2200', greeting: 'Welcome to Acme, how can I help?' });
    expect(widget.personas[0]).toMatchObject({ id: 'default', name: 'Tess', greeting: 'Welcome to Acme, how can I help?' });

    const audit = await h.deps.tenants
      .forTenant(acme)
      .transaction((tx) => tx.auditEvent.findMany({ where: { action: 'branding.updated' }, orderBy: { createdAt: 'asc' } }));
    expect(audit.at(-1)).toMatchObject({
      actorId: 'usr_admin',
      target: acme,
      data: { set: { primaryColor: '#aa2200', greeting: 'Welcome to Acme, how can I help?', displayName: 'Acme Voice' }, cleared: [] },
    });
  });

  it('refuses a setting the manifest manages with 409 naming it, and saves nothing of the request', async () => {
    const before = await adminView();
    const res = await patch({ agentName: 'Zed', accentColor: '#000000', greeting: 'Not saved' });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = problemSchema.parse(res.body);
    expect(problem).toMatchObject({ code: 'conflict', reason: 'managed_by_manifest', fields: ['agentName', 'accentColor'] });
    expect(problem.detail).toContain('agentName, accentColor');
    expect(res.body.errors).toEqual([
      { path: 'body.agentName', message: 'is set by the Tenant manifest (spec.branding.agentName)' },
      { path: 'body.accentColor', message: 'is set by the Tenant manifest (spec.branding.accentColor)' },
    ]);
    expect(await adminView()).toEqual(before);
  });

  it('clears a console value back to the default with null', async () => {
    await patch({ logoUrl: 'https://cdn.acme.example/logo.png', voice: 'cedar' }).expect(200);
    expect((await widgetBranding()).logoUrl).toBe('https://cdn.acme.example/logo.png');
    const res = await patch({ logoUrl: null, greeting: null });
    expect(res.status).toBe(200);
    const view = brandingSettingsViewSchema.parse(res.body);
    expect(view.settings).toMatchObject({ logoUrl: null, greeting: BRANDING_DEFAULTS.greeting, voice: 'cedar' });
    expect(view.managedBy).toMatchObject({ logoUrl: 'default', greeting: 'default', voice: 'console' });
    const widget = await widgetBranding();
    expect(widget).toMatchObject({ logoUrl: '', greeting: BRANDING_DEFAULTS.greeting });
    expect(widget.personas[0]).toMatchObject({ voice: 'cedar' });
  });

  it('answers 400 naming each bad field, and changes nothing', async () => {
    const before = await adminView();
    const cases: [object, string][] = [
      [{ primaryColor: 'red' }, 'body.primaryColor'],
      [{ logoUrl: 'http://cdn.acme.example/logo.png' }, 'body.logoUrl'],
      [{ logoUrl: 'javascript:alert(1)' }, 'body.logoUrl'],
      // Not a URL at all (found by the OpenAPI fuzzer: it was a 500).
      [{ logoUrl: 'x' }, 'body.logoUrl'],
      [{ voice: 'robot' }, 'body.voice'],
      [{ language: 'english' }, 'body.language'],
      [{ greeting: '' }, 'body.greeting'],
      [{ greeting: 'x'.repeat(501) }, 'body.greeting'],
      [{ instructions: 'x'.repeat(8001) }, 'body.instructions'],
      [{ displayName: 'x'.repeat(101) }, 'body.displayName'],
    ];
    for (const [body, path] of cases) {
      const res = await patch({ ...body, primaryColor: (body as { primaryColor?: string }).primaryColor ?? '#000001' });
      expect(res.status).toBe(400);
      expect(problemSchema.parse(res.body).code).toBe('validation_failed');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    const unknown = await patch({ greeting: 'Hi', tagline: 'Not a setting' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.errors)).toContain('tagline');
    expect(await adminView()).toEqual(before);
  });

  it('accepts an http logo on localhost where the platform itself runs over http (local development)', async () => {
    const res = await patch({ logoUrl: `http://${acme}.localhost:8080/logo.svg` });
    expect(res.status).toBe(200);
    expect(brandingSettingsViewSchema.parse(res.body).settings.logoUrl).toBe(`http://${acme}.localhost:8080/logo.svg`);
  });

  it('refuses an http logo where the platform is served over https, saving nothing', async () => {
    const before = await adminView();
    const overrides = new BrandingOverrides(h.deps.platform);
    const overHttps = new BrandingEdits({
      overrides,
      records: new BrandingEditRecords(h.deps.tenants, overrides),
      registry: h.deps.registry,
      allowHttpLogos: false,
    });
    const editor = { userId: 'usr_admin', sessionId: 'ses_test' };
    expect(await overHttps.save(acme, { logoUrl: 'http://localhost/logo.png', greeting: 'Not saved' }, editor)).toEqual({
      ok: false,
      failure: 'insecure_logo',
    });
    expect(await adminView()).toEqual(before);
  });

  it('refuses members, anonymous callers, API keys and another tenant’s admin, changing nothing', async () => {
    const before = await adminView();
    const member = await h.token(acme, 'usr_member', ['member']);
    expect((await patch({ greeting: 'From a member' }, member)).status).toBe(403);
    expect((await request(h.app).get('/v1/admin/branding').set('Host', host()).set('Authorization', `Bearer ${member}`)).status).toBe(403);
    expect((await request(h.app).patch('/v1/admin/branding').set('Host', host()).send({ greeting: 'Anonymous' })).status).toBe(401);
    expect((await request(h.app).get('/v1/admin/branding').set('Host', host())).status).toBe(401);

    const { key } = apiKeyCreatedSchema.parse(
      (
        await request(h.app)
          .post('/v1/api-keys')
          .set('Host', host())
          .set('Authorization', `Bearer ${admin}`)
          .send({ name: 'reader', permissions: ['api-keys:read'] })
      ).body,
    );
    expect(
      (await request(h.app).patch('/v1/admin/branding').set('Host', host()).set('X-Api-Key', key).send({ greeting: 'Key' })).status,
    ).toBe(401);

    const globexAdmin = await h.token(globex, 'usr_admin', ['admin']);
    const crossed = await patch({ greeting: 'From another tenant' }, globexAdmin);
    expect(crossed.status).toBe(401);
    expect(await adminView()).toEqual(before);
    const globexView = await request(h.app)
      .get('/v1/admin/branding')
      .set('Host', `${globex}.localhost`)
      .set('Authorization', `Bearer ${globexAdmin}`);
    expect(brandingSettingsViewSchema.parse(globexView.body).settings.greeting).toBe(BRANDING_DEFAULTS.greeting);
  });

  it('offers exactly the voices a manifest may name', () => {
    expect([...BRANDING_VOICES]).toEqual([...VOICES]);
  });
});
