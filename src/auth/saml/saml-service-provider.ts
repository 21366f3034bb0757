// The SAML 2.0 service provider: SP-initiated login over the HTTP-Redirect
// binding, responses over HTTP-POST, our metadata. node-saml does the protocol
// and XML signature work; what it leaves out is checked in saml-response-checks.ts.
import { X509Certificate } from "node:crypto";
import { SAML, ValidateInResponseTo, type SamlConfig as NodeSamlOptions } from "@node-saml/node-saml";
import type { SamlConfig } from "../../config";
import { DomainError } from "../../domain/errors";
import type { OneTimeStore, SsoIdentity } from "../../domain/sso/sso-login";
import { OneTimeRequestCache } from "./one-time-cache";
import { assertionProblem, authnContextClasses, responseProblem } from "./saml-response-checks";
import { identityFromProfile } from "./saml-identity";

/** How long an AuthnRequest may wait for its answer. */
export const SAML_REQUEST_TTL_MS = 10 * 60_000;
/** Problems are quoted into the audit trail; the IdP's text in them is cut short. */
const MAX_PROBLEM_LENGTH = 300;

export class SamlServiceProvider {
  constructor(
    readonly config: SamlConfig,
    private readonly store: OneTimeStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The IdP URL carrying a fresh AuthnRequest; its id is remembered for SAML_REQUEST_TTL_MS. */
  async loginUrl(relayState: string | null): Promise<string> {
    return this.saml().getAuthorizeUrlAsync(relayState ?? "", undefined, {});
  }

  /**
   * Validates a posted SAMLResponse (base64) and returns who it proves the user
   * is. Throws DomainError UNAUTHENTICATED (reason SAML_RESPONSE_REFUSED, the
   * message naming the problem) for anything short of a fully valid response.
   * The request id it answers is used up either way.
   */
  async identify(samlResponse: string): Promise<SsoIdentity> {
    let result;
    try {
      result = await this.saml().validatePostResponseAsync({ SAMLResponse: samlResponse });
    } catch (err) {
      throw refused(err instanceof Error ? err.message : String(err));
    }
    const profile = result.profile;
    if (result.loggedOut || profile === null) throw refused("not a login response");
    const expected = {
      idpEntityId: this.config.idpEntityId,
      acsUrl: this.config.acsUrl,
      idpCerts: this.config.idpCerts,
    };
    const assertion = profile.getAssertion?.() ?? {};
    const problem =
      assertionProblem(assertion, expected) ??
      (await responseProblem(Buffer.from(samlResponse, "base64").toString("utf8"), expected));
    if (problem !== null) throw refused(problem);
    const mapped = identityFromProfile(profile, authnContextClasses(assertion), this.config);
    if ("problem" in mapped) throw refused(mapped.problem);
    return mapped.identity;
  }

  /** SP metadata: entity id, ACS URL (HTTP-POST), signed assertions wanted. */
  metadata(): string {
    return this.saml().generateServiceProviderMetadata(null, null);
  }

  /** A node-saml instance per use: its request-id cache is scoped to one validation (see OneTimeRequestCache). */
  private saml(): SAML {
    const options: NodeSamlOptions = {
      entryPoint: this.config.idpEntryPoint,
      issuer: this.config.spEntityId,
      audience: this.config.spEntityId,
      callbackUrl: this.config.acsUrl,
      idpCert: this.config.idpCerts,
      idpIssuer: this.config.idpEntityId,
      wantAuthnResponseSigned: true,
      wantAssertionsSigned: true,
      acceptedClockSkewMs: this.config.clockSkewMs,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: SAML_REQUEST_TTL_MS,
      cacheProvider: new OneTimeRequestCache(this.store, SAML_REQUEST_TTL_MS, this.now),
      // Let the IdP pick the NameID format and the authentication method: MFA is read from what it reports.
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      signatureAlgorithm: "sha256",
    };
    return new SAML(options);
  }
}

function refused(problem: string): DomainError {
  return new DomainError("UNAUTHENTICATED", `SAML response refused: ${problem.slice(0, MAX_PROBLEM_LENGTH)}`, {
    reason: "SAML_RESPONSE_REFUSED",
  });
}

/**
 * Start-up warnings about the configured IdP certificates. Signatures are not
 * refused for a certificate's dates (IdPs commonly sign with self-signed
 * certificates past them; trust comes from configuration), but an expired one
 * is usually a rollover someone forgot.
 */
export function idpCertificateWarnings(certs: string[], now: Date = new Date()): string[] {
  return certs.flatMap((pem, i) => {
    const cert = new X509Certificate(pem);
    const until = new Date(cert.validTo);
    return until.getTime() < now.getTime()
      ? [`SAML_IDP_CERT certificate ${i + 1} (${cert.subject.replace(/\n/g, ", ")}) expired on ${until.toISOString()}`]
      : [];
  });
}
