// The one place that decides how a refused decision is reported: missing
// multi-factor authentication is MFA_REQUIRED (the caller can step up and
// retry), every other refusal FORBIDDEN. GraphQL, /audit/export, SCIM, the
// audit feed and bundles all ask here.
import type { DecisionReason } from "../../engine/types";

export type RefusalCode = "MFA_REQUIRED" | "FORBIDDEN";

export function refusalCode(reason: DecisionReason): RefusalCode {
  return reason === "MFA_REQUIRED" ? "MFA_REQUIRED" : "FORBIDDEN";
}
