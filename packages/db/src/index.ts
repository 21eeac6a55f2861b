export { createPool, type Pool, type PoolClient } from './pool.js';
export { quoteIdent } from './quote-ident.js';
export { createPlatformClient, type PlatformClient } from './platform-client.js';
export { TenantClients, type TenantScope, type TenantSql, type TenantTransaction } from './tenant-clients.js';
export { afterCommit, CommitNotifications, type Committed } from './commit-notifications.js';
export { ensureTenantSchema, dropTenantSchema } from './tenant-schema.js';
export { withSchemaLock } from './schema-lock.js';
export { retryingWhenRoleDropped } from './role-dropped-retry.js';
export { lotsLessPending } from './lots-less-pending.js';
export { loadMigrations, type Migration } from './migrations/load-migrations.js';
export {
  MigrationRunner,
  MigrationDriftError,
  type MigrationTarget,
  type SchemaMigrationResult,
  type MigrationProgress,
} from './migrations/migration-runner.js';
export { MIGRATIONS_DIR } from './migrations/migrations-dir.js';
export { PrismaClient, type Prisma } from './generated/prisma/client.js';
export { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.js';
export { ensureDatabase } from './ensure-database.js';
export { TENANT_MODEL_DELEGATES, type TenantModelDelegate } from './model-kinds.js';
