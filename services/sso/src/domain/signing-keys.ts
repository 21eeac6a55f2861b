import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import { PLATFORM_TOKEN_ALGORITHM } from '@mindbot/auth';
import type { PrivateSigningJwk } from '../config.js';

/** The public JWKS, every key with its type and id (which jose's JWK leaves optional). */
export interface PublishedJwks extends JSONWebKeySet {
  keys: (JWK & { kty: string; kid: string })[];
}

export interface AccessTokenClaims {
  sub: string;
  tid: string;
  roles: readonly string[];
  sid: string;
  jti: string;
}

/**
 * The platform's ES256 signing keys. One signs; all are published in the JWKS, so a next key can be
 * published before it signs and a previous key stays verifiable until its tokens expired
 * (docs/adr/0010-sso-platform-tokens-and-key-rotation.md).
 */
export class SigningKeys {
  private constructor(
    private readonly signingKid: string,
    private readonly signingKey: KeyObject,
    private readonly published: PublishedJwks,
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  static load(options: { keys: readonly PrivateSigningJwk[]; signingKid: string; issuer: string; audience: string }): SigningKeys {
    const signing = options.keys.find((k) => k.kid === options.signingKid);
    if (!signing) throw new Error('The signing kid is not among the signing keys');
    const key = createPrivateKey({ key: { kty: signing.kty, crv: signing.crv, x: signing.x, y: signing.y, d: signing.d }, format: 'jwk' });
    // The signing key first, then the others (next or previous), public parts only.
    const ordered = [signing, ...options.keys.filter((k) => k.kid !== signing.kid)];
    const published: PublishedJwks = {
      keys: ordered.map((k) => ({ kty: k.kty, crv: k.crv, x: k.x, y: k.y, kid: k.kid, alg: PLATFORM_TOKEN_ALGORITHM, use: 'sig' })),
    };
    return new SigningKeys(signing.kid, key, published, options.issuer, options.audience);
  }

  get jwks(): PublishedJwks {
    return this.published;
  }

  get currentKid(): string {
    return this.signingKid;
  }

  async sign(claims: AccessTokenClaims, ttlSeconds: number, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + ttlSeconds;
    const token = await new SignJWT({ tid: claims.tid, roles: [...claims.roles], sid: claims.sid })
      .setProtectedHeader({ alg: PLATFORM_TOKEN_ALGORITHM, kid: this.signingKid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.signingKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }
}
