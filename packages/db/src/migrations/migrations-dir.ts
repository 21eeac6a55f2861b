import { fileURLToPath } from 'node:url';

/** `prisma/migrations/` of this repository, holding `platform/` and `tenant/`. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../../prisma/migrations/', import.meta.url));
