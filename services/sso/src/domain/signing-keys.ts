import { createPrivateKey, type KeyObject } from 'node:crypto';
import { SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import type { PlatformTokenAlgorithm } from '@mindbot/auth';
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

/** The algorithm a key signs and verifies: fixed by its type, published as the JWK's `alg`. */
export function algorithmOf(key: PrivateSigningJwk): PlatformTokenAlgorithm {
  return key.kty === 'RSA' ? 'RS256' : 'ES256';
}

/** The public half of a private signing JWK, as the JWKS publishes it. */
function publicJwk(key: PrivateSigningJwk): JWK & { kty: string; kid: string } {
  const common = { kid: key.kid, alg: algorithmOf(key), use: 'sig' };
  return key.kty === 'RSA'
    ? { kty: key.kty, n: key.n, e: key.e, ...common }
    : { kty: key.kty, crv: key.crv, x: key.x, y: key.y, ...common };
}

/**
 * The platform's signing keys: RSA keys sign RS256, EC P-256 keys (the older ones) ES256
 * (docs/adr/0060-rs256-platform-tokens.md). One signs; all are published in the JWKS, so a next key
 * can be published before it signs and a previous key stays verifiable until its tokens expired
 * (docs/adr/0010-sso-platform-tokens-and-key-rotation.md); a rotation may change the algorithm.
 */
export class SigningKeys {
  private constructor(
    private readonly signingKid: string,
    private readonly signingKey: KeyObject,
    private readonly algorithm: PlatformTokenAlgorithm,
    private readonly published: PublishedJwks,
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  static load(options: { keys: readonly PrivateSigningJwk[]; signingKid: string; issuer: string; audience: string }): SigningKeys {
    const signing = options.keys.find((k) => k.kid === options.signingKid);
    if (!signing) throw new Error('The signing kid is not among the signing keys');
    const { kty, d } = signing;
    const material =
      kty === 'RSA'
        ? { kty, n: signing.n, e: signing.e, d, p: signing.p, q: signing.q, dp: signing.dp, dq: signing.dq, qi: signing.qi }
        : { kty, crv: signing.crv, x: signing.x, y: signing.y, d };
    const key = createPrivateKey({ key: material, format: 'jwk' });
    // The signing key first, then the others (next or previous), public parts only.
    const ordered = [signing, ...options.keys.filter((k) => k.kid !== signing.kid)];
    const published: PublishedJwks = { keys: ordered.map(publicJwk) };
    return new SigningKeys(signing.kid, key, algorithmOf(signing), published, options.issuer, options.audience);
  }

  get jwks(): PublishedJwks {
    return this.published;
  }

  get currentKid(): string {
    return this.signingKid;
  }

  get currentAlgorithm(): PlatformTokenAlgorithm {
    return this.algorithm;
  }

  async sign(claims: AccessTokenClaims, ttlSeconds: number, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + ttlSeconds;
    const token = await new SignJWT({ tid: claims.tid, roles: [...claims.roles], sid: claims.sid })
      .setProtectedHeader({ alg: this.algorithm, kid: this.signingKid, typ: 'JWT' })
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
