import { AppError, statusOf } from '@mindbot/errors';
import { effectiveBranding } from '@mindbot/tenancy';
import { servingOf } from './tenant-serving.js';
import type { TenantRecord } from './tenant-record.js';

const tenant = (change: Partial<TenantRecord> = {}): TenantRecord => ({
  id: 'tenant_1',
  slug: 'acme',
  displayName: 'Acme',
  region: 'eu-west',
  status: 'active',
  home: true,
  suspended: false,
  branding: { logoUrl: 'https://acme.example/logo.png', primaryColor: '#000000', accentColor: '#ffffff', agentName: 'Ava', greeting: 'Hi' },
  agent: { persona: 'p', voice: 'aurora', language: 'en', personas: [] },
  limits: { requestsPerMinute: 600, concurrentSessions: 10, agentPool: 'dedicated' },
  billing: { currency: 'usd', platformFeePercent: 10 },
  sso: { passwordLogin: true, jitProvisioning: true },
  keepTranscripts: true,
  domains: [],
  embedOrigins: [],
  brandingSettings: effectiveBranding('acme', {}, {}),
  ...change,
});

function problemOf(record: TenantRecord | null, here: Parameters<typeof servingOf>[1] = { region: 'eu-west' }): AppError {
  const serving = servingOf(record, here);
  if (serving.served) throw new Error('expected a refusal');
  return serving.problem;
}

describe('servingOf: the answer every service gives for a tenant', () => {
  it('serves an active tenant of this region whose data is here', () => {
    const record = tenant();
    expect(servingOf(record, { region: 'eu-west' })).toEqual({ served: true, tenant: record });
  });

  it('answers 404 for an unknown tenant and for one being deleted', () => {
    for (const record of [null, tenant({ status: 'deprovisioning' })]) {
      expect(problemOf(record)).toMatchObject({ code: 'not_found', status: 404 });
    }
  });

  it('answers 421 naming the region for another region’s tenant, with its URL and a Location when this process knows it', () => {
    const elsewhere = tenant({ region: 'us-east', home: false });
    expect(problemOf(elsewhere)).toMatchObject({
      code: 'misdirected_request',
      status: 421,
      options: { extensions: { region: 'us-east' } },
    });
    const named = problemOf(elsewhere, {
      region: 'eu-west',
      elsewhere: { baseUrlOf: (slug, region) => `https://${slug}.${region}.mindbot.test`, path: '/v1/branding?x=1' },
    });
    expect(named.options).toEqual({
      extensions: { region: 'us-east', baseUrl: 'https://acme.us-east.mindbot.test' },
      headers: { Location: 'https://acme.us-east.mindbot.test/v1/branding?x=1' },
    });
  });

  it('answers 503 for a tenant of this region whose data is not here', () => {
    expect(problemOf(tenant({ home: false }))).toMatchObject({ code: 'unavailable', status: 503 });
  });

  it('answers 403 tenant_suspended for a suspended tenant, whether the flag or the status says so', () => {
    for (const record of [tenant({ suspended: true }), tenant({ status: 'suspended' })]) {
      expect(problemOf(record)).toMatchObject({ code: 'tenant_suspended', status: statusOf('tenant_suspended') });
    }
  });

  it('answers 503 with Retry-After while the tenant is still being provisioned', () => {
    expect(problemOf(tenant({ status: 'provisioning' }))).toMatchObject({
      code: 'unavailable',
      options: { headers: { 'Retry-After': '10' } },
    });
  });

  it('checks the region before the suspension: another region’s suspended tenant is sent there, where it is refused', () => {
    expect(problemOf(tenant({ region: 'us-east', home: false, suspended: true })).code).toBe('misdirected_request');
  });
});
