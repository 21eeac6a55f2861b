export {
  createTokenVerifier,
  MIN_RSA_MODULUS_BITS,
  PLATFORM_TOKEN_ALGORITHMS,
  type PlatformTokenAlgorithm,
  type RevokedSessions,
  type TokenVerifier,
  type TokenVerifierOptions,
} from './token-verifier.js';
export { principalClaimsSchema, type Principal } from './principal.js';
export { requireAuth, requireRole, principalOf, principalLocal } from './require-auth.js';
export { TENANT_ADMIN_ROLES } from './tenant-roles.js';
export { requireServiceToken } from './service-token.js';
