import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';

/** The platform registry's models only; tenant models are reached through TenantClients. */
export type PlatformClient = Pick<
  PrismaClient,
  'tenant' | 'tenantDomain' | 'platformAuditEvent' | 'schemaMigration' | '$transaction' | '$queryRaw' | '$executeRaw' | '$disconnect'
>;

export function createPlatformClient(pool: pg.Pool): PlatformClient {
  return new PrismaClient({ adapter: new PrismaPg(pool, { schema: 'platform' }) });
}
