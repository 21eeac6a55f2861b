import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import type { TenantClients } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import { emailDomainSchema } from '@mindbot/sdk/schemas';
import type { Attribution, Auditor } from './audit.js';

/** The TXT record a tenant publishes to prove a domain: `_mindbot-verification.<domain>`. */
export function verificationRecordName(domain: string): string {
  return `_mindbot-verification.${domain}`;
}

export type DomainFailure = 'not_found' | 'unknown_connection' | 'record_missing';
export type DomainOutcome = Result<DomainView, DomainFailure>;

export interface DomainView {
  domain: string;
  connectionId: string | null;
  verified: boolean;
  verifiedAt: string | null;
  txtRecord: { name: string; value: string };
}

function view(row: { domain: string; connectionId: string | null; verificationToken: string; verifiedAt: Date | null }): DomainView {
  return {
    domain: row.domain,
    connectionId: row.connectionId,
    verified: row.verifiedAt !== null,
    verifiedAt: row.verifiedAt?.toISOString() ?? null,
    txtRecord: { name: verificationRecordName(row.domain), value: `mindbot-verification=${row.verificationToken}` },
  };
}

/**
 * Email domains a tenant claims. A domain routes logins only once its TXT record proves control;
 * the resolver's servers are configurable (tests run a local DNS server).
 */
export class DomainVerification {
  private readonly resolver = new Resolver({ timeout: 2_000, tries: 2 });

  constructor(
    private readonly tenants: TenantClients,
    private readonly auditor: Auditor,
    dnsServers: readonly string[] | undefined,
  ) {
    if (dnsServers && dnsServers.length > 0) this.resolver.setServers([...dnsServers]);
  }

  async claim(tenant: string, domain: string, connectionId: string | null, by: Attribution): Promise<DomainOutcome> {
    const outcome = await this.tenants.forTenant(tenant).transaction(async (tx): Promise<DomainOutcome> => {
      if (connectionId && !(await tx.ssoConnection.findUnique({ where: { id: connectionId }, select: { id: true } })))
        return fail('unknown_connection');
      const existing = await tx.ssoDomain.findUnique({ where: { domain } });
      if (existing) {
        const row = await tx.ssoDomain.update({ where: { domain }, data: { connectionId } });
        return ok(view(row));
      }
      const row = await tx.ssoDomain.create({ data: { domain, connectionId, verificationToken: randomBytes(16).toString('hex') } });
      return ok(view(row));
    });
    if (outcome.ok) await this.auditor.record(tenant, { action: 'sso.domain_claimed', ...by, target: domain });
    return outcome;
  }

  async list(tenant: string): Promise<DomainView[]> {
    const rows = await this.tenants.forTenant(tenant).transaction((tx) => tx.ssoDomain.findMany({ orderBy: { domain: 'asc' } }));
    return rows.map(view);
  }

  async verify(tenant: string, domain: string, by: Attribution): Promise<DomainOutcome> {
    const row = await this.tenants.forTenant(tenant).transaction((tx) => tx.ssoDomain.findUnique({ where: { domain } }));
    if (!row) return fail('not_found');
    const expected = `mindbot-verification=${row.verificationToken}`;
    let records: string[][];
    try {
      records = await this.resolver.resolveTxt(verificationRecordName(domain));
    } catch {
      records = [];
    }
    if (!records.some((chunks) => chunks.join('') === expected)) return fail('record_missing');
    const updated = await this.tenants
      .forTenant(tenant)
      .transaction((tx) => tx.ssoDomain.update({ where: { domain }, data: { verifiedAt: row.verifiedAt ?? new Date() } }));
    await this.auditor.record(tenant, { action: 'sso.domain_verified', ...by, target: domain });
    return ok(view(updated));
  }

  /** The connection a verified email domain routes to, if any. */
  async connectionForEmail(tenant: string, email: string): Promise<string | undefined> {
    const domain = email.split('@').pop()?.toLowerCase() ?? '';
    if (!emailDomainSchema.safeParse(domain).success) return undefined;
    const row = await this.tenants.forTenant(tenant).transaction((tx) => tx.ssoDomain.findUnique({ where: { domain } }));
    return row?.verifiedAt && row.connectionId ? row.connectionId : undefined;
  }
}
