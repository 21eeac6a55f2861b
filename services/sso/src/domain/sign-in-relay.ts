import { z } from 'zod';
import type { EphemeralStore } from '../data/ephemeral-store.js';

/**
 * What a browser sign-in started with `returnTo` carries to the IdP's answer: where to send the
 * browser, and the PKCE challenge its code will be bound to. Kept server-side (in the OIDC
 * transaction, or under the SAML AuthnRequest id), never in a parameter the IdP could change.
 */
export const signInRelaySchema = z.object({ returnTo: z.string(), codeChallenge: z.string().optional() });
export type SignInRelay = z.output<typeof signInRelaySchema>;

const samlRelayKey = (connectionId: string, requestId: string) => ['saml', 'relay', connectionId, requestId.slice(0, 200)];

/** Remembers the relay of an AuthnRequest for as long as its InResponseTo is accepted. */
export async function putSamlRelay(
  store: EphemeralStore,
  tenant: string,
  connectionId: string,
  requestId: string,
  relay: SignInRelay,
  ttlSeconds: number,
): Promise<void> {
  await store.put(tenant, samlRelayKey(connectionId, requestId), JSON.stringify(relay), ttlSeconds);
}

/** The relay of the AuthnRequest a verified response answered, once; undefined for an API or IdP-initiated sign-in. */
export async function takeSamlRelay(
  store: EphemeralStore,
  tenant: string,
  connectionId: string,
  inResponseTo: unknown,
): Promise<SignInRelay | undefined> {
  if (typeof inResponseTo !== 'string' || inResponseTo === '') return undefined;
  const stored = await store.take(tenant, samlRelayKey(connectionId, inResponseTo));
  return stored === undefined ? undefined : signInRelaySchema.parse(JSON.parse(stored));
}
