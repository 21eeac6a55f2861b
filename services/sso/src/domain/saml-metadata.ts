import { fail, ok, type Result } from '@mindbot/errors';
import { fetchIdpDocument } from './idp-fetch.js';
import { childElementsNS, parseUntrustedXml, SAML_METADATA_NS, XMLDSIG_NS, XmlGuardError } from './xml-guard.js';

export interface IdpMetadata {
  idpEntityId: string;
  idpSsoUrl: string;
  idpSloUrl?: string;
  idpCertificates: string[];
}

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/** The IdP's metadata, or why it cannot be used (in `detail`, told to the admin who gave it). */
export type MetadataOutcome = Result<IdpMetadata, 'metadata_unusable'>;

const unusable = (problem: string) => fail('metadata_unusable', problem);

function locationFor(descriptor: Element, service: string): string | undefined {
  const services = childElementsNS(descriptor, SAML_METADATA_NS, service);
  const pick = services.find((s) => s.getAttribute('Binding') === REDIRECT) ?? services.find((s) => s.getAttribute('Binding') === POST);
  return pick?.getAttribute('Location') ?? undefined;
}

/** Reads an IdP's entity id, SSO/SLO URLs and signing certificates from its SAML metadata (hardened parse). */
export function parseIdpMetadata(xml: string, maxBytes: number): MetadataOutcome {
  let doc: Document;
  try {
    doc = parseUntrustedXml(xml, { maxBytes, allowComments: true });
  } catch (error) {
    return unusable(error instanceof XmlGuardError ? `metadata refused: ${error.reason}` : 'metadata is not XML');
  }
  const root = doc.documentElement as Element | null;
  if (!root || root.namespaceURI !== SAML_METADATA_NS) return unusable('not SAML metadata');
  const entity = root.localName === 'EntityDescriptor' ? root : childElementsNS(root, SAML_METADATA_NS, 'EntityDescriptor')[0];
  const descriptor = entity ? childElementsNS(entity, SAML_METADATA_NS, 'IDPSSODescriptor')[0] : undefined;
  const entityId = entity?.getAttribute('entityID');
  if (!entity || !descriptor || !entityId) return unusable('no IDPSSODescriptor with an entityID');
  const ssoUrl = locationFor(descriptor, 'SingleSignOnService');
  if (!ssoUrl) return unusable('no SingleSignOnService');
  const certificates = childElementsNS(descriptor, SAML_METADATA_NS, 'KeyDescriptor')
    .filter((k) => k.getAttribute('use') !== 'encryption')
    .flatMap((k) => {
      const found = k.getElementsByTagNameNS(XMLDSIG_NS, 'X509Certificate');
      const out: string[] = [];
      for (let i = 0; i < found.length; i++) out.push((found.item(i)?.textContent ?? '').replace(/\s+/g, ''));
      return out;
    })
    .filter((c) => c.length > 0);
  if (certificates.length === 0) return unusable('no signing certificate');
  const sloUrl = locationFor(descriptor, 'SingleLogoutService');
  return ok({
    idpEntityId: entityId,
    idpSsoUrl: ssoUrl,
    ...(sloUrl ? { idpSloUrl: sloUrl } : {}),
    idpCertificates: [...new Set(certificates)].slice(0, 4),
  });
}

/** Fetches metadata from the IdP (https to a public address unless insecure URLs are allowed; idp-fetch.ts), with a timeout and size cap. */
export async function fetchIdpMetadata(url: string, options: { allowInsecure: boolean; maxBytes: number }): Promise<MetadataOutcome> {
  const fetched = await fetchIdpDocument(url, { allowPrivate: options.allowInsecure, maxBytes: options.maxBytes });
  if (!fetched.ok) return unusable(`metadataUrl: ${fetched.detail ?? fetched.failure}`);
  return parseIdpMetadata(fetched.value, options.maxBytes);
}
