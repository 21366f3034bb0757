// What node-saml 5 (inside passport-saml) does not check on a login response, checked here on the
// parts the IdP signed. node-saml verifies both signatures, the audience, the
// Conditions and SubjectConfirmationData time windows and InResponseTo, but
// compares its `idpIssuer` option only on logout messages, never looks at the
// Response's Destination or the SubjectConfirmationData's Recipient, and
// accepts a signed assertion inside a Response whose status is not Success.
import { getVerifiedXml, parseDomFromString, selectElements, type XmlElement } from "./saml-xml";

const STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

export interface ResponseExpectations {
  idpEntityId: string;
  acsUrl: string;
  idpCerts: string[];
  /** false when SAML_WANT_RESPONSE_SIGNED=false: the Response may come unsigned around a signed assertion. */
  responseSigned: boolean;
}

/** Why the Response element (its signed form when signed) is not acceptable, or null. Call after node-saml accepted it. */
export async function responseProblem(responseXml: string, expected: ResponseExpectations): Promise<string | null> {
  const doc = await parseDomFromString(responseXml);
  // Read only what the Response signature covers: the verified canonical form, not the posted text.
  const signed = getVerifiedXml(responseXml, doc.documentElement, expected.idpCerts);
  if (signed === null && expected.responseSigned) return "the Response signature does not verify";
  // Unsigned (allowed by configuration): the Recipient and Issuer of the signed assertion carry the weight,
  // these checks only refuse a Response that says it is meant for someone else.
  const response = signed === null ? doc.documentElement : (await parseDomFromString(signed)).documentElement;
  const destination = response.getAttribute("Destination");
  if (destination !== expected.acsUrl)
    return `Response Destination '${destination ?? ""}' is not this service's ACS URL`;
  const issuers = selectElements(response, "./*[local-name()='Issuer']");
  if (issuers.length > 1) return "Response has more than one Issuer";
  if (issuers.length === 1 && text(issuers[0]) !== expected.idpEntityId)
    return `Response Issuer '${text(issuers[0])}' is not the configured IdP`;
  const status = selectElements(response, "./*[local-name()='Status']/*[local-name()='StatusCode']");
  const code = status[0]?.getAttribute("Value") ?? null;
  if (code !== STATUS_SUCCESS) return `Response status is '${code ?? "missing"}', not Success`;
  return null;
}

/** Why the signed assertion (as node-saml parsed it) is not acceptable, or null. */
export function assertionProblem(assertion: Record<string, unknown>, expected: ResponseExpectations): string | null {
  const a = (assertion as { Assertion?: XmlNode }).Assertion;
  if (!a) return "no assertion";
  const issuer = first(a.Issuer);
  if (issuer === null || charOf(issuer) !== expected.idpEntityId)
    return `Assertion Issuer '${issuer ? charOf(issuer) : ""}' is not the configured IdP`;
  const confirmations = (first(a.Subject)?.SubjectConfirmation ?? []) as XmlNode[];
  const bearer = confirmations.filter((c) => attr(c, "Method") === BEARER);
  if (bearer.length === 0) return "Assertion has no bearer SubjectConfirmation";
  for (const c of confirmations) {
    for (const data of (c.SubjectConfirmationData ?? []) as XmlNode[]) {
      const recipient = attr(data, "Recipient");
      if (recipient !== expected.acsUrl)
        return `SubjectConfirmationData Recipient '${recipient ?? ""}' is not this service's ACS URL`;
    }
    if (attr(c, "Method") === BEARER && ((c.SubjectConfirmationData ?? []) as XmlNode[]).length === 0)
      return "bearer SubjectConfirmation has no SubjectConfirmationData";
  }
  return null;
}

/** The AuthnContextClassRef values of the assertion's AuthnStatements. */
export function authnContextClasses(assertion: Record<string, unknown>): string[] {
  const a = (assertion as { Assertion?: XmlNode }).Assertion;
  const statements = (a?.AuthnStatement ?? []) as XmlNode[];
  return statements
    .flatMap((s) => ((first(s.AuthnContext)?.AuthnContextClassRef ?? []) as XmlNode[]).map(charOf))
    .filter((c) => c !== "");
}

/** xml2js with explicitArray and explicitCharkey, as node-saml configures it. */
type XmlNode = { $?: Record<string, string>; _?: string; [child: string]: unknown };

function first(value: unknown): XmlNode | null {
  return Array.isArray(value) && value.length > 0 ? (value[0] as XmlNode) : null;
}

function charOf(node: XmlNode): string {
  return typeof node._ === "string" ? node._.trim() : "";
}

function attr(node: XmlNode, name: string): string | null {
  return node.$?.[name] ?? null;
}

function text(element: XmlElement): string {
  return (element.textContent ?? "").trim();
}

/** The AuthnRequest id the signed assertion answers (its bearer SubjectConfirmationData's InResponseTo), or null. */
export function answeredRequestId(assertion: Record<string, unknown>): string | null {
  const a = (assertion as { Assertion?: XmlNode }).Assertion;
  for (const c of (first(a?.Subject)?.SubjectConfirmation ?? []) as XmlNode[]) {
    for (const data of (c.SubjectConfirmationData ?? []) as XmlNode[]) {
      const id = attr(data, "InResponseTo");
      if (id !== null) return id;
    }
  }
  return null;
}
