import { defineConfig } from 'prisma/config';

// Only `prisma generate` is used: migrations are SQL files applied by `mindbot db migrate`
// (see docs/adr/0002-sql-migrations-and-tenant-aware-runner.md).
export default defineConfig({
  schema: 'prisma/schema.prisma',
});
