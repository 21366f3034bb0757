// The SAML 2.0 service provider as a passport strategy (`saml`):
// `@node-saml/passport-saml`'s MultiSamlStrategy, which builds a fresh SAML
// instance for every request, so the one-time request-id cache is scoped to
// one validation (see OneTimeRequestCache). passport-saml runs the protocol
// and the XML signature checks; what it leaves out runs in the strategy's
// verify hook (saml-response-checks.ts), and every refusal names the check
// that failed (saml-refusal.ts).
import { X509Certificate } from "node:crypto";
import {
  MultiSamlStrategy,
  ValidateInResponseTo,
  type Profile,
  type SamlConfig as NodeSamlOptions,
  type VerifiedCallback,
} from "@node-saml/passport-saml";
import type { IncomingHttpHeaders } from "node:http";
import type { SamlConfig } from "../../config";
import { DomainError } from "../../domain/errors";
import type { OneTimeStore, SsoIdentity } from "../../domain/sso/sso-login";
import { OneTimeRequestCache } from "./one-time-cache";
import { answeredRequestId, assertionProblem, authnContextClasses, responseProblem } from "./saml-response-checks";
import { identityFromProfile } from "./saml-identity";
import { explainRefusal } from "./saml-refusal";

/** How long an AuthnRequest may wait for its answer. */
export const SAML_REQUEST_TTL_MS = 10 * 60_000;
/** Problems are quoted into the audit trail; the IdP's text in them is cut short. */
const MAX_PROBLEM_LENGTH = 300;

/** The request passport-saml reads: only the posted form, never the query string. */
export interface SamlRequestView {
  body: { SAMLResponse?: string; RelayState?: string };
  query: { RelayState?: string };
  headers: IncomingHttpHeaders;
  url: string;
}

/** What the strategy's verify hook proves: the identity, and the AuthnRequest id the assertion answers. */
export interface SamlLogin {
  identity: SsoIdentity;
  requestId: string | null;
}

export class SamlServiceProvider {
  readonly strategy: MultiSamlStrategy;

  constructor(
    readonly config: SamlConfig,
    private readonly store: OneTimeStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.strategy = new MultiSamlStrategy(
      {
        name: "saml",
        passReqToCallback: true,
        getSamlOptions: (_req, done) => done(null, this.options()),
      },
      // passport-saml types its request with its own copy of @types/express 4: the hooks take ours.
      (req: SamlRequestView, profile: Profile | null, done: VerifiedCallback) => {
        this.verify(req, profile).then(
          (login) => done(null, login as unknown as Record<string, unknown>),
          (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
        );
      },
      (_req: SamlRequestView, _profile: Profile | null, done: VerifiedCallback) =>
        done(new Error("single logout is not offered")),
    );
  }

  /**
   * What node-saml does not check, on the profile it accepted. Throws DomainError
   * UNAUTHENTICATED (reason SAML_RESPONSE_REFUSED) naming the problem.
   */
  private async verify(req: SamlRequestView, profile: Profile | null): Promise<SamlLogin> {
    if (profile === null) throw refused("not a login response");
    const samlResponse = req.body.SAMLResponse ?? "";
    const expected = {
      idpEntityId: this.config.idpEntityId,
      acsUrl: this.config.acsUrl,
      idpCerts: this.config.idpCerts,
      responseSigned: this.config.wantResponseSigned,
    };
    const assertion = profile.getAssertion?.() ?? {};
    const problem =
      assertionProblem(assertion, expected) ??
      (await responseProblem(Buffer.from(samlResponse, "base64").toString("utf8"), expected));
    if (problem !== null) throw refused(problem);
    const mapped = identityFromProfile(profile, authnContextClasses(assertion), this.config);
    if ("problem" in mapped) throw refused(mapped.problem);
    return { identity: mapped.identity, requestId: answeredRequestId(assertion) };
  }

  /** Turns what the strategy failed with into the refusal an operator can act on. */
  async refusal(err: unknown, samlResponse: string): Promise<DomainError> {
    if (err instanceof DomainError) return err;
    const message = err instanceof Error ? err.message : String(err);
    const xml = Buffer.from(samlResponse, "base64").toString("utf8");
    return refused(await explainRefusal(message, xml, this.config));
  }

  /** SP metadata: entity id, ACS URL (HTTP-POST), signed assertions wanted. */
  metadata(): Promise<string> {
    return new Promise((resolve, reject) => {
      const noRequest = {} as Parameters<MultiSamlStrategy["generateServiceProviderMetadata"]>[0];
      this.strategy.generateServiceProviderMetadata(noRequest, null, null, (err, xml) =>
        err ? reject(err) : resolve(xml!),
      );
    });
  }

  /** node-saml's options for one request; a fresh request-id cache each time. */
  private options(): NodeSamlOptions {
    return {
      entryPoint: this.config.idpEntryPoint,
      issuer: this.config.spEntityId,
      audience: this.config.spEntityId,
      callbackUrl: this.config.acsUrl,
      idpCert: this.config.idpCerts,
      idpIssuer: this.config.idpEntityId,
      wantAuthnResponseSigned: this.config.wantResponseSigned,
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
  }
}

export function refused(problem: string): DomainError {
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
