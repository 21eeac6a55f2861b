import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';
import type { TenantModelDelegate } from './model-kinds.js';

/** The platform schema's models only; tenant models are reached through TenantClients. */
export type PlatformClient = Omit<PrismaClient, TenantModelDelegate | '$queryRawUnsafe' | '$executeRawUnsafe'>;

export function createPlatformClient(pool: pg.Pool): PlatformClient {
  return new PrismaClient({ adapter: new PrismaPg(pool, { schema: 'platform' }) });
}
