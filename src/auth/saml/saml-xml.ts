// node-saml's XML helpers, the very ones passport-saml verifies signatures
// with (passport-saml does not re-export them), typed with the little of the
// DOM portcullis reads: the project compiles without the DOM library.
import * as xml from "@node-saml/node-saml/lib/xml";

export interface XmlElement {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
}

export interface XmlDocument {
  readonly documentElement: XmlElement;
}

/** Parses XML text (node-saml's parser settings: no DTDs, errors thrown). */
export const parseDomFromString = xml.parseDomFromString as unknown as (text: string) => Promise<XmlDocument>;

/** The canonical form `node`'s signature covers, when it verifies with one of `certs`; null otherwise. */
export const getVerifiedXml = xml.getVerifiedXml as unknown as (
  fullXml: string,
  node: XmlElement,
  certs: string[],
) => string | null;

/** The elements an XPath expression selects from `node`. */
export const selectElements = xml.xpath.selectElements as unknown as (
  node: XmlElement | XmlDocument,
  path: string,
) => XmlElement[];
