// A SAML identity provider for the end-to-end tests: builds Response XML the
// way an IdP does and signs the assertion and the response with xml-crypto,
// with the test key pairs in test/fixtures/saml.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { SignedXml } from "xml-crypto";

const FIXTURES = join(__dirname, "..", "..", "..", "test", "fixtures", "saml");
export const IDP_CERT = readFileSync(join(FIXTURES, "idp.crt"), "utf8");
export const IDP_KEY = readFileSync(join(FIXTURES, "idp.key"), "utf8");
export const OTHER_CERT = readFileSync(join(FIXTURES, "other-idp.crt"), "utf8");
export const OTHER_KEY = readFileSync(join(FIXTURES, "other-idp.key"), "utf8");

export const IDP_ENTITY_ID = "https://idp.example.test/metadata";
export const IDP_ENTRY_POINT = "https://idp.example.test/sso";
export const SP_ENTITY_ID = "https://portcullis.example.test/saml";
export const ACS_URL = "https://portcullis.example.test/auth/saml/acs";
export const MFA_CLASS = "https://refeds.org/profile/mfa";
export const PASSWORD_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";

/** The environment that configures the server under test as this IdP's service provider. */
export const SAML_ENV: Record<string, string> = {
  SAML_IDP_ENTRY_POINT: IDP_ENTRY_POINT,
  SAML_IDP_CERT: IDP_CERT,
  SAML_IDP_ENTITY_ID: IDP_ENTITY_ID,
  SAML_SP_ENTITY_ID: SP_ENTITY_ID,
  SAML_ACS_URL: ACS_URL,
};

export interface AssertionFields {
  inResponseTo: string;
  nameId: string;
  email: string;
  displayName: string | null;
  groups: string[];
  authnContextClassRef: string;
  audience: string;
  recipient: string;
  destination: string;
  responseIssuer: string;
  assertionIssuer: string;
  notBefore: Date;
  notOnOrAfter: Date;
  /** SubjectConfirmationData NotOnOrAfter. */
  confirmationNotOnOrAfter: Date;
}

export function assertionFields(inResponseTo: string, patch: Partial<AssertionFields> = {}): AssertionFields {
  const id = randomUUID().slice(0, 8);
  const now = Date.now();
  return {
    inResponseTo,
    nameId: `saml-${id}`,
    email: `saml-${id}@example.com`,
    displayName: `SAML ${id}`,
    groups: [],
    authnContextClassRef: PASSWORD_CLASS,
    audience: SP_ENTITY_ID,
    recipient: ACS_URL,
    destination: ACS_URL,
    responseIssuer: IDP_ENTITY_ID,
    assertionIssuer: IDP_ENTITY_ID,
    notBefore: new Date(now - 60_000),
    notOnOrAfter: new Date(now + 5 * 60_000),
    confirmationNotOnOrAfter: new Date(now + 5 * 60_000),
    ...patch,
  };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const iso = (d: Date) => d.toISOString();

export function assertionXml(f: AssertionFields, id = `_a${randomUUID().replace(/-/g, "")}`): string {
  const attribute = (name: string, values: string[]) =>
    values.length === 0
      ? ""
      : `<saml:Attribute Name="${esc(name)}">${values.map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`).join("")}</saml:Attribute>`;
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${iso(new Date())}">` +
    `<saml:Issuer>${esc(f.assertionIssuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${esc(f.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData NotOnOrAfter="${iso(f.confirmationNotOnOrAfter)}" Recipient="${esc(f.recipient)}" InResponseTo="${esc(f.inResponseTo)}"/>` +
    `</saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(f.notBefore)}" NotOnOrAfter="${iso(f.notOnOrAfter)}">` +
    `<saml:AudienceRestriction><saml:Audience>${esc(f.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(new Date())}" SessionIndex="_s${randomUUID().slice(0, 8)}">` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>${esc(f.authnContextClassRef)}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attribute("email", [f.email])}${attribute("displayName", f.displayName ? [f.displayName] : [])}${attribute("groups", f.groups)}</saml:AttributeStatement>` +
    `</saml:Assertion>`
  );
}

/** A Response around `assertion` (XML text, signed or not). */
export function responseXml(f: AssertionFields, assertion: string): string {
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
    `ID="_r${randomUUID().replace(/-/g, "")}" Version="2.0" IssueInstant="${iso(new Date())}" Destination="${esc(f.destination)}" InResponseTo="${esc(f.inResponseTo)}">` +
    `<saml:Issuer>${esc(f.responseIssuer)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    assertion +
    `</samlp:Response>`
  );
}

/** Signs the element `localName` (Assertion or Response), the signature placed after its Issuer. */
export function sign(xml: string, localName: "Assertion" | "Response", key = IDP_KEY, cert = IDP_CERT): string {
  const sig = new SignedXml({
    privateKey: key,
    publicCert: cert,
    signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#",
  });
  const element = localName === "Response" ? "/*[local-name(.)='Response']" : "//*[local-name(.)='Assertion']";
  sig.addReference({
    xpath: element,
    transforms: ["http://www.w3.org/2000/09/xmldsig#enveloped-signature", "http://www.w3.org/2001/10/xml-exc-c14n#"],
    digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
  });
  sig.computeSignature(xml, { location: { reference: `${element}/*[local-name(.)='Issuer']`, action: "after" } });
  return sig.getSignedXml();
}

/** What a well-behaved IdP sends: the assertion signed, then the whole response. */
export function signedResponse(f: AssertionFields, key = IDP_KEY, cert = IDP_CERT): string {
  return sign(responseXml(f, sign(assertionXml(f), "Assertion", key, cert)), "Response", key, cert);
}

export interface StartedLogin {
  /** The AuthnRequest's ID, to answer with InResponseTo. */
  requestId: string;
  relayState: string | null;
  requestXml: string;
  location: URL;
}

/** GET /auth/saml/login and read the AuthnRequest out of the redirect, as the browser would carry it to the IdP. */
export async function startLogin(serverUrl: string, returnTo?: string): Promise<StartedLogin> {
  const query = returnTo === undefined ? "" : `?returnTo=${encodeURIComponent(returnTo)}`;
  const res = await fetch(`${serverUrl}/auth/saml/login${query}`, { redirect: "manual" });
  if (res.status !== 302) throw new Error(`login answered ${res.status}: ${await res.text()}`);
  const location = new URL(res.headers.get("location")!);
  const requestXml = inflateRawSync(Buffer.from(location.searchParams.get("SAMLRequest")!, "base64")).toString("utf8");
  const requestId = /\sID="([^"]+)"/.exec(requestXml)![1];
  return { requestId, relayState: location.searchParams.get("RelayState"), requestXml, location };
}

/** POSTs a response to the ACS as the browser's auto-submitted form would. */
export function postToAcs(serverUrl: string, xml: string, relayState?: string | null): Promise<Response> {
  const form = new URLSearchParams({ SAMLResponse: Buffer.from(xml, "utf8").toString("base64") });
  if (relayState) form.set("RelayState", relayState);
  return fetch(`${serverUrl}/auth/saml/acs`, { method: "POST", body: form, redirect: "manual" });
}

/** The session secret from a Set-Cookie header, or null. */
export function sessionFromSetCookie(res: Response): { secret: string; attributes: string } | null {
  const header = res.headers.get("set-cookie");
  const m = header ? /portcullis_session=([^;]+)(.*)/.exec(header) : null;
  return m ? { secret: m[1], attributes: m[2] } : null;
}
