import { DOMParser } from '@xmldom/xmldom';

export const SAML_PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const SAML_ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const SAML_METADATA_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

export type XmlRefusal = 'xml_too_large' | 'xml_malformed' | 'xml_doctype' | 'xml_comment' | 'xml_structure';

export class XmlGuardError extends Error {
  constructor(
    readonly reason: XmlRefusal,
    detail: string,
  ) {
    super(detail);
    this.name = 'XmlGuardError';
  }
}

/**
 * Parses untrusted XML defensively, before any signature library sees it: a size cap, no DOCTYPE at
 * all (so no entity expansion and no external entities), no processing instructions other than the
 * declaration, and (for SAML messages) no comments, which is what the NameID comment-injection
 * family relies on.
 */
export function parseUntrustedXml(xml: string, options: { maxBytes: number; allowComments: boolean }): Document {
  if (Buffer.byteLength(xml, 'utf8') > options.maxBytes) throw new XmlGuardError('xml_too_large', 'XML larger than the limit');
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) throw new XmlGuardError('xml_doctype', 'DOCTYPE or ENTITY declaration');
  if (!options.allowComments && xml.includes('<!--')) throw new XmlGuardError('xml_comment', 'XML comment');
  if (/<\?(?!xml\s)/i.test(xml.replace(/^\uFEFF/, ''))) throw new XmlGuardError('xml_structure', 'processing instruction');
  const problems: string[] = [];
  const doc = new DOMParser({
    locator: {},
    errorHandler: {
      warning: () => undefined,
      error: (message: string) => problems.push(message),
      fatalError: (message: string) => problems.push(message),
    },
  }).parseFromString(xml, 'text/xml');
  if (problems.length > 0 || !(doc.documentElement as Element | null))
    throw new XmlGuardError('xml_malformed', problems[0]?.slice(0, 200) ?? 'no document element');
  return doc;
}

function elementsNS(doc: Document, ns: string, name: string): Element[] {
  const list = doc.getElementsByTagNameNS(ns, name);
  const out: Element[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list.item(i);
    if (item) out.push(item);
  }
  return out;
}

function allElements(doc: Document): Element[] {
  const list = doc.getElementsByTagName('*');
  const out: Element[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list.item(i);
    if (item) out.push(item);
  }
  return out;
}

/**
 * The shape of a login response we accept: one samlp:Response at the root, exactly one Assertion or
 * EncryptedAssertion anywhere in the document (no second assertion hidden in Extensions, Advice,
 * a Signature's Object or a wrapper element) and no duplicate ID attributes. These are the moves of
 * the signature-wrapping attacks; refusing them up front does not depend on the signature library
 * getting its references right.
 */
export function assertLoginResponseShape(doc: Document): void {
  const root = doc.documentElement as Element | null;
  if (!root || root.localName !== 'Response' || root.namespaceURI !== SAML_PROTOCOL_NS)
    throw new XmlGuardError('xml_structure', 'root is not samlp:Response');
  if (elementsNS(doc, SAML_PROTOCOL_NS, 'Response').length !== 1) throw new XmlGuardError('xml_structure', 'more than one Response');
  const assertions = allElements(doc).filter((e) => e.localName === 'Assertion');
  const encrypted = allElements(doc).filter((e) => e.localName === 'EncryptedAssertion');
  if (assertions.length + encrypted.length !== 1)
    throw new XmlGuardError('xml_structure', `expected one assertion, found ${assertions.length + encrypted.length}`);
  const only = assertions[0] ?? encrypted[0];
  if (only?.parentNode !== root) throw new XmlGuardError('xml_structure', 'assertion is not a child of the Response');
  assertUniqueIds(doc);
}

export function assertUniqueIds(doc: Document): void {
  const seen = new Set<string>();
  for (const element of allElements(doc)) {
    for (const name of ['ID', 'Id', 'id']) {
      const value = element.getAttribute(name);
      if (value) {
        if (seen.has(value)) throw new XmlGuardError('xml_structure', 'duplicate ID attribute');
        seen.add(value);
      }
    }
  }
}

export function firstElementNS(doc: Document | Element, ns: string, name: string): Element | undefined {
  return doc.getElementsByTagNameNS(ns, name).item(0) ?? undefined;
}

export function childElementsNS(parent: Element, ns: string, name: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1) {
      const element = node as Element;
      if (element.localName === name && element.namespaceURI === ns) out.push(element);
    }
  }
  return out;
}
