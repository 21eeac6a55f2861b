import type { LimitRule } from '@mindbot/rate-limit';
import { tenantKey } from '@mindbot/redis';

/** The rules of one request: the tenant's plan, shared between its principals and client IPs. */
export function rulesFor(
  tenant: string,
  requestsPerMinute: number,
  who: { principal?: string | undefined; ip: string },
  shares: { principal: number; ip: number },
): LimitRule[] {
  const rules: LimitRule[] = [{ name: 'tenant', key: tenantKey(tenant, 'rl', 'tenant'), limit: requestsPerMinute }];
  if (who.principal)
    rules.push({
      name: 'principal',
      key: tenantKey(tenant, 'rl', 'p', who.principal),
      limit: Math.max(1, Math.ceil(requestsPerMinute * shares.principal)),
    });
  // IPv6 addresses contain ':' — harmless inside a key, but keep keys printable and bounded.
  rules.push({
    name: 'ip',
    key: tenantKey(tenant, 'rl', 'ip', who.ip.replace(/[^0-9a-fA-F.:]/g, '_').slice(0, 64)),
    limit: Math.max(1, Math.ceil(requestsPerMinute * shares.ip)),
  });
  return rules;
}
