// Why passport-saml refused a response, in words an operator can act on from
// the log line alone: node-saml says "Invalid document signature" both for a
// Response that carries no signature and for one signed with another key.
import { X509Certificate } from "node:crypto";
import { parseDomFromString, selectElements } from "./saml-xml";
import type { SamlConfig } from "../../config";

const SIGNATURE = "./*[local-name()='Signature' and namespace-uri()='http://www.w3.org/2000/09/xmldsig#']";

/** The configured certificates' SHA-256 fingerprints, as `openssl x509 -fingerprint -sha256` prints them. */
export function fingerprints(certs: string[]): string {
  return certs.map((pem) => new X509Certificate(pem).fingerprint256).join(", ");
}

export async function explainRefusal(
  message: string,
  responseXml: string,
  config: Pick<SamlConfig, "idpCerts" | "wantResponseSigned">,
): Promise<string> {
  const signedHere = async (path: string): Promise<boolean | null> => {
    try {
      const doc = await parseDomFromString(responseXml);
      const [element] = selectElements(doc, path);
      return element === undefined ? null : selectElements(element, SIGNATURE).length > 0;
    } catch {
      return null;
    }
  };
  const doesNotVerify = (element: string) =>
    `the ${element} signature does not verify with the configured certificate (SHA-256 fingerprint ${fingerprints(config.idpCerts)}): check SAML_IDP_CERT against the IdP's signing certificate`;
  if (message === "Invalid document signature") {
    if ((await signedHere("/*[local-name()='Response']")) === false)
      return "the Response element is not signed (set SAML_WANT_RESPONSE_SIGNED=false to accept a response whose assertion alone carries the signature)";
    return doesNotVerify("Response");
  }
  if (message === "Invalid signature" || message === "Invalid signature: multiple assertions") {
    const assertionSigned = await signedHere("/*[local-name()='Response']/*[local-name()='Assertion']");
    if (assertionSigned === false)
      return "the Assertion element is not signed: its signature is required whatever SAML_WANT_RESPONSE_SIGNED says";
    return message.endsWith("multiple assertions")
      ? "signature check failed: the response holds more than one assertion"
      : doesNotVerify("Assertion");
  }
  const audience = /^SAML assertion audience mismatch\. Expected: (.*) Received: (.*)$/s.exec(message);
  if (audience)
    return `audience: the assertion is for '${audience[2]}', not this service provider's entity id '${audience[1]}' (SAML_SP_ENTITY_ID)`;
  return message;
}
