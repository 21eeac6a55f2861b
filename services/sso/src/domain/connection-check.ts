import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import type { ConnectionCheck } from '@mindbot/sdk/schemas';
import type { Connection, OidcConnection, SamlConnection } from '../data/connection-repository.js';
import { pemCertificate } from './connection-settings.js';
import { fetchIdpDocument, type IdpFetchPolicy } from './idp-fetch.js';
import { fetchIdpMetadata } from './saml-metadata.js';

type Item = ConnectionCheck['checks'][number];

const discoverySchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  jwks_uri: z.string(),
  id_token_signing_alg_values_supported: z.array(z.string()).optional(),
});

const jwksSchema = z.looseObject({
  keys: z.array(z.looseObject({ kty: z.string(), use: z.string().optional(), alg: z.string().optional() })),
});

/** The key type an ID-token algorithm needs. */
function keyTypeOf(algorithm: string): string {
  if (algorithm.startsWith('ES')) return 'EC';
  if (algorithm === 'EdDSA' || algorithm === 'Ed25519') return 'OKP';
  return 'RSA';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * "Test connection": what SSO can check about a connection without a user signing in. OIDC: the
 * discovery document loads from the issuer, names the same issuer and the endpoints a sign-in needs,
 * offers the connection's ID-token algorithm, and its JWKS has a key for it. SAML: every IdP signing
 * certificate parses and is valid now, and, given the IdP's metadata URL, the metadata loads and
 * names the same entity, sign-in URL and certificates.
 */
export async function checkConnection(connection: Connection, policy: IdpFetchPolicy, metadataUrl?: string): Promise<Item[]> {
  return connection.kind === 'oidc' ? checkOidc(connection, policy) : checkSaml(connection, policy, metadataUrl);
}

async function checkOidc(connection: OidcConnection, policy: IdpFetchPolicy): Promise<Item[]> {
  const { issuer, idTokenAlgorithm } = connection.settings;
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const fetched = await fetchIdpDocument(url, policy);
  if (!fetched.ok) return [{ check: 'discovery', ok: false, detail: `${url}: ${fetched.detail ?? fetched.failure}` }];
  const discovery = discoverySchema.safeParse(parseJson(fetched.value));
  if (!discovery.success)
    return [
      { check: 'discovery', ok: false, detail: `${url} is not an OpenID Provider configuration (it lacks issuer, endpoints or jwks_uri)` },
    ];
  const doc = discovery.data;
  const items: Item[] = [];
  const sameIssuer = doc.issuer === issuer;
  items.push({
    check: 'discovery',
    ok: sameIssuer,
    detail: sameIssuer ? `${url} loaded; issuer ${doc.issuer}` : `the document names issuer ${doc.issuer}, the connection ${issuer}`,
  });
  const offered = doc.id_token_signing_alg_values_supported ?? ['RS256'];
  items.push({
    check: 'algorithm',
    ok: offered.includes(idTokenAlgorithm),
    detail: offered.includes(idTokenAlgorithm)
      ? `the IdP signs ID tokens with ${idTokenAlgorithm}`
      : `the IdP offers ${offered.join(', ')}, not ${idTokenAlgorithm}`,
  });
  const keys = await fetchIdpDocument(doc.jwks_uri, policy);
  if (!keys.ok) {
    items.push({ check: 'jwks', ok: false, detail: `${doc.jwks_uri}: ${keys.detail ?? keys.failure}` });
    return items;
  }
  const jwks = jwksSchema.safeParse(parseJson(keys.value));
  const kty = keyTypeOf(idTokenAlgorithm);
  const usable = jwks.success
    ? jwks.data.keys.filter(
        (k) => k.kty === kty && (k.use === undefined || k.use === 'sig') && (k.alg === undefined || k.alg === idTokenAlgorithm),
      )
    : [];
  items.push({
    check: 'jwks',
    ok: usable.length > 0,
    detail: !jwks.success
      ? `${doc.jwks_uri} is not a JSON Web Key Set`
      : usable.length > 0
        ? `${usable.length} signing key(s) for ${idTokenAlgorithm}`
        : `no ${kty} signing key for ${idTokenAlgorithm} among ${jwks.data.keys.length} key(s)`,
  });
  return items;
}

async function checkSaml(connection: SamlConnection, policy: IdpFetchPolicy, metadataUrl: string | undefined): Promise<Item[]> {
  const now = new Date();
  const items: Item[] = connection.settings.idpCertificates.map((certificate, index) => {
    const name = `certificate ${index + 1}`;
    try {
      const x509 = new X509Certificate(pemCertificate(certificate.replace(/-----[^-]+-----|\s+/g, '')));
      const from = new Date(x509.validFrom);
      const to = new Date(x509.validTo);
      const valid = from <= now && now <= to;
      return {
        check: 'certificate',
        ok: valid,
        detail: valid
          ? `${name}: ${x509.subject.replace(/\n/g, ', ')}, valid until ${to.toISOString()}`
          : `${name} is not valid now (${from.toISOString()} to ${to.toISOString()})`,
      };
    } catch {
      return { check: 'certificate', ok: false, detail: `${name} is not an X.509 certificate` };
    }
  });
  if (metadataUrl === undefined) return items;
  const metadata = await fetchIdpMetadata(metadataUrl, { allowInsecure: policy.allowPrivate, maxBytes: policy.maxBytes });
  if (!metadata.ok) return [...items, { check: 'metadata', ok: false, detail: metadata.detail ?? metadata.failure }];
  const read = metadata.value;
  const stored = new Set(connection.settings.idpCertificates.map((c) => c.replace(/-----[^-]+-----|\s+/g, '')));
  const differences = [
    read.idpEntityId === connection.settings.idpEntityId ? '' : `entity ${read.idpEntityId}`,
    read.idpSsoUrl === connection.settings.idpSsoUrl ? '' : `sign-in URL ${read.idpSsoUrl}`,
    read.idpCertificates.some((c) => stored.has(c)) ? '' : 'none of its signing certificates',
  ].filter(Boolean);
  return [
    ...items,
    {
      check: 'metadata',
      ok: differences.length === 0,
      detail:
        differences.length === 0
          ? `${metadataUrl} loaded and matches the connection`
          : `${metadataUrl} loaded but differs from the connection: ${differences.join('; ')}`,
    },
  ];
}
