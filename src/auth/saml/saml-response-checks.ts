// What node-saml 5 does not check on a login response, checked here on the
// parts the IdP signed. node-saml verifies both signatures, the audience, the
// Conditions and SubjectConfirmationData time windows and InResponseTo, but
// compares its `idpIssuer` option only on logout messages, never looks at the
// Response's Destination or the SubjectConfirmationData's Recipient, and
// accepts a signed assertion inside a Response whose status is not Success.
import { getVerifiedXml, parseDomFromString, xpath } from "@node-saml/node-saml/lib/xml";

const STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

export interface ResponseExpectations {
  idpEntityId: string;
  acsUrl: string;
  idpCerts: string[];
}

/**
 * The DOM calls used here. node-saml declares its parser with the browser's DOM
 * types, which a Node program does not load; these name what xmldom provides.
 */
interface XmlElement {
  getAttribute(name: string): string | null;
  readonly textContent: string | null;
}

async function parseXml(xml: string): Promise<XmlElement> {
  const doc = (await parseDomFromString(xml)) as unknown as { documentElement: XmlElement };
  return doc.documentElement;
}

function selectElements(node: XmlElement, path: string): XmlElement[] {
  const found: unknown = xpath.selectElements(node, path);
  return found as XmlElement[];
}

/** Why the signed Response element is not acceptable, or null. Call after node-saml accepted it. */
export async function responseProblem(responseXml: string, expected: ResponseExpectations): Promise<string | null> {
  const root = await parseXml(responseXml);
  // Read only what the Response signature covers: the verified canonical form, not the posted text.
  const signed = getVerifiedXml(responseXml, root, expected.idpCerts);
  if (signed === null) return "the Response is not signed by the IdP";
  const response = await parseXml(signed);
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
