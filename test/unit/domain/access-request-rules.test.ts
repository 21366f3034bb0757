import { expect } from "chai";
import { effectiveStatus } from "../../../src/domain/access-requests/access-request.model";
import {
  firstNotRequestable,
  maxTtlSeconds,
  roleClosure,
  thresholds,
} from "../../../src/domain/access-requests/access-request-rules";
import type { RoleRecord } from "../../../src/domain/model";

function role(name: string, patch: Partial<RoleRecord> = {}): RoleRecord {
  return {
    id: name,
    name,
    description: null,
    builtIn: false,
    superuser: false,
    maxSessionTtlSeconds: null,
    requireSessionMfa: false,
    approvalsRequired: 1,
    denialsRequired: 1,
    version: 1,
    document: "",
    policies: [],
    inherits: [],
    requestableRoles: [],
    reviewableRoles: [],
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...patch,
  };
}

const ROLES = [
  role("dev", { inherits: ["base"], requestableRoles: ["prod"], approvalsRequired: 1, denialsRequired: 2 }),
  role("base", { requestableRoles: ["Prod", "db"], approvalsRequired: 2, denialsRequired: 1 }),
  role("lead", { requestableRoles: ["db"], approvalsRequired: 3, denialsRequired: 3 }),
  role("prod", { maxSessionTtlSeconds: 7200 }),
  role("db", { maxSessionTtlSeconds: 1800 }),
  role("loop-a", { inherits: ["loop-b"] }),
  role("loop-b", { inherits: ["loop-a"] }),
];

describe("access-request rules", () => {
  it("follows inheritance to find what a user's roles make requestable, ignoring case", () => {
    const closure = roleClosure(ROLES, ["DEV"]);
    expect(closure.map((r) => r.name).sort()).to.deep.equal(["base", "dev"]);
    expect(firstNotRequestable(closure, ["prod", "DB"])).to.equal(null);
    expect(firstNotRequestable(closure, ["prod", "lead"])).to.equal("lead");
    expect(
      roleClosure(ROLES, ["loop-a"])
        .map((r) => r.name)
        .sort(),
    ).to.deep.equal(["loop-a", "loop-b"]);
  });

  it("takes the most approvals and the fewest denials among the settings that grant the roles", () => {
    expect(thresholds(roleClosure(ROLES, ["dev"]), ["prod"])).to.deep.equal({ approvals: 2, denials: 1 });
    expect(thresholds(roleClosure(ROLES, ["lead"]), ["db"])).to.deep.equal({ approvals: 3, denials: 3 });
    expect(thresholds(roleClosure(ROLES, ["lead", "dev"]), ["db"])).to.deep.equal({ approvals: 3, denials: 1 });
  });

  it("limits the ttl to the smallest maxSessionTtl of the requested roles, or 12h", () => {
    expect(maxTtlSeconds([ROLES[3], ROLES[4]])).to.equal(1800);
    expect(maxTtlSeconds([ROLES[0]])).to.equal(12 * 3600);
  });

  it("reads a pending request as EXPIRED from its deadline on, and leaves decided ones alone", () => {
    const deadline = new Date("2026-01-01T00:00:00.000Z");
    expect(effectiveStatus({ status: "PENDING", expiresAt: deadline }, new Date(deadline.getTime() - 1))).to.equal(
      "PENDING",
    );
    expect(effectiveStatus({ status: "PENDING", expiresAt: deadline }, deadline)).to.equal("EXPIRED");
    expect(effectiveStatus({ status: "APPROVED", expiresAt: deadline }, new Date(deadline.getTime() + 1))).to.equal(
      "APPROVED",
    );
  });
});
