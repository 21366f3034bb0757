import { expect } from "chai";
import { GraphQLError } from "graphql";
import type { AuditEventInput } from "../../../src/domain/audit/audit-event";
import { auditEscalationRefusal } from "../../../src/domain/audit/escalation-audit";
import type { AuditLog } from "../../../src/domain/audit/group-commit-audit-log";
import { DomainError } from "../../../src/domain/errors";
import type { Principal } from "../../../src/domain/principal";
import type { Engine } from "../../../src/engine";
import { escalationRefusalsAudited } from "../../../src/graphql/error-format";

/** Collects what would be written; the audit log's own behaviour is tested against real databases elsewhere. */
function collectingLog(): AuditLog & { events: AuditEventInput[] } {
  const events: AuditEventInput[] = [];
  return {
    events,
    record: (event: AuditEventInput) => {
      events.push(event);
      return Promise.resolve({ ...event, id: "x", sequence: events.length, prevHash: "", hash: "" });
    },
  } as unknown as AuditLog & { events: AuditEventInput[] };
}

const engine = { rolesOf: () => ["grant-clerk"] } as unknown as Engine;
const actor: Principal = {
  user: { id: "u1", email: "clerk@example.com" } as Principal["user"],
  credential: { kind: "token", tokenId: "t1", breakGlass: false },
  mfa: false,
  sourceIp: "10.0.0.9",
};

describe("escalation refusals as audit events", () => {
  it("records an ESCALATION_DENIED DomainError once, as DENY with the missing capability, and nothing else", async () => {
    const log = collectingLog();
    const refusal = new DomainError("ESCALATION_DENIED", "giving role 'admin' everywhere would allow role:escalate", {
      capability: "role:escalate",
    });
    await auditEscalationRefusal(log, engine, { actor, operation: "Mutation.grantRole", requestId: "r1" }, refusal);
    await auditEscalationRefusal(log, engine, { actor, operation: "Mutation.grantRole", requestId: "r1" }, refusal);
    await auditEscalationRefusal(
      log,
      engine,
      { actor, operation: "Mutation.grantRole", requestId: "r1" },
      new DomainError("FORBIDDEN", "no"),
    );
    await auditEscalationRefusal(
      log,
      engine,
      { actor, operation: "Mutation.grantRole", requestId: "r1" },
      new Error("boom"),
    );
    expect(log.events).to.have.length(1);
    expect(log.events[0]).to.deep.include({
      operation: "Mutation.grantRole",
      action: "change",
      decision: "DENY",
      reason: "ESCALATION_DENIED",
      requestId: "r1",
      actorId: "u1",
      actorEmail: "clerk@example.com",
      actorRoles: ["grant-clerk"],
      tokenId: "t1",
      sourceIp: "10.0.0.9",
    });
    expect(log.events[0].metadata).to.deep.equal({ capability: "role:escalate", message: refusal.message });
  });

  it("records at the GraphQL edge a refusal that no policy write recorded, naming the field", async () => {
    const log = collectingLog();
    const plugin = escalationRefusalsAudited();
    const refusal = new DomainError("ESCALATION_DENIED", "would escalate", { capability: "job:delete" });
    const wrapped = new GraphQLError(refusal.message, { path: ["createThing"], originalError: refusal });
    const hooks = await plugin.requestDidStart!({} as never);
    const context = { principal: actor, requestId: "r2", services: { audit: log, runtime: { engine: () => engine } } };
    await hooks!.didEncounterErrors!({
      errors: [wrapped, new GraphQLError("other")],
      contextValue: context,
      operation: { operation: "mutation" },
    } as never);
    expect(log.events.map((e) => [e.operation, e.reason, e.metadata?.capability])).to.deep.equal([
      ["Mutation.createThing", "ESCALATION_DENIED", "job:delete"],
    ]);
  });
});
