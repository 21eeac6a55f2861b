import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SAML_METADATA_NS } from './xml-guard.js';

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

/**
 * node-saml's SP metadata lists the SLO endpoint with the HTTP-POST binding only, while the endpoint
 * takes LogoutRequests and LogoutResponses by HTTP-Redirect as well (and sends its own by redirect):
 * list both, Redirect first, beside the one node-saml wrote (the schema's order of SPSSODescriptor
 * children is kept). Metadata without an SLO endpoint is returned as it is.
 */
export function withBothSloBindings(metadataXml: string): string {
  const doc = new DOMParser().parseFromString(metadataXml, 'text/xml');
  const services = doc.getElementsByTagNameNS(SAML_METADATA_NS, 'SingleLogoutService');
  const existing = services.item(0);
  if (!existing || services.length !== 1) return metadataXml;
  const location = existing.getAttribute('Location');
  if (!location || existing.getAttribute('Binding') !== POST) return metadataXml;
  const redirect = doc.createElementNS(SAML_METADATA_NS, existing.tagName);
  redirect.setAttribute('Binding', REDIRECT);
  redirect.setAttribute('Location', location);
  existing.parentNode?.insertBefore(redirect, existing);
  return new XMLSerializer().serializeToString(doc);
}
