import type { AuthFailure } from "../auth/bearer-authenticator";
import type { AuditLog } from "../domain/audit/group-commit-audit-log";
import type { DecisionService } from "../domain/decisions/decision-service";
import type { PolicyRuntime } from "../domain/policy/policy-runtime";
import type { Storage } from "../domain/ports/storage.port";
import type { Principal } from "../domain/principal";
import type { Loaders } from "./loaders";

/** What resolvers may use; built once in app.ts. */
export interface Services {
  storage: Storage;
  /** The compiled policy state of this instance. */
  runtime: PolicyRuntime;
  /** Every decision is recorded here before its response is sent. */
  audit: AuditLog;
  decisions: DecisionService;
}

export interface RequestContext {
  requestId: string;
  /** null when the request carried no valid credential. */
  principal: Principal | null;
  authFailure: AuthFailure | null;
  services: Services;
  loaders: Loaders;
}
