import { z } from 'zod';

/** The claims every platform access token carries (issued only by the SSO service). */
export const principalClaimsSchema = z.object({
  sub: z.string().min(1),
  tid: z.string().regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/),
  roles: z.array(z.string().min(1)).max(50),
  sid: z.string().min(1),
  jti: z.string().min(1),
  exp: z.number().int(),
  iat: z.number().int(),
});

/** Who is calling, as established by a verified token: the tenant comes from here, never from the request body. */
export interface Principal {
  userId: string;
  tenant: string;
  roles: readonly string[];
  sessionId: string;
  tokenId: string;
  expiresAt: Date;
}
