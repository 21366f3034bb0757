import { expect } from "chai";
import { Engine, type Permission } from "../../../src/engine";
import { DEFAULT_TYPES } from "../../support/case-loader";
import { grant, policy, role } from "../../support/case-builders";

const NOW = new Date("2025-06-01T12:00:00Z");
const EXPIRES = new Date("2025-07-01T00:00:00Z");

function engine(): Engine {
  return Engine.compile(
    {
      types: DEFAULT_TYPES,
      policies: [
        policy("view", "  - resource: '*'\n    level: METADATA\n"),
        policy(
          "deploy",
          "  - resource: job\n    namespace: 'prod/**'\n    capabilities: [submit, stop]\n  - resource: secret\n    capabilities: []\n",
        ),
        policy("shell", "  - resource: node\n    capabilities: [exec]\n    when: { sourceCidrs: [10.0.0.0/8] }\n"),
      ],
      roles: [
        role("viewer", { policies: ["view"] }),
        role("deployer", { policies: ["deploy"], inherits: ["viewer"] }),
        role("ops", { policies: ["shell"], requireSessionMfa: true }),
        role("root", { superuser: true }),
      ],
      grants: [
        grant("g1", "deployer", "alice", { scope: "prod", expiresAt: EXPIRES }),
        {
          id: "g2",
          role: "ops",
          subject: { type: "GROUP", group: "oncall" },
          scope: "",
          active: true,
          startsAt: null,
          expiresAt: null,
        },
        grant("g3", "viewer", "alice", { expiresAt: new Date("2025-05-01T00:00:00Z") }),
        grant("g4", "root", "bob"),
      ],
      users: [
        { id: "alice", status: "ACTIVE", groups: ["oncall"] },
        { id: "bob", status: "ACTIVE", groups: [] },
        { id: "carl", status: "LOCKED", groups: [] },
      ],
      tokens: [
        { id: "t-deploy", ownerId: "alice", roles: ["deployer"], expiresAt: null, revokedAt: null },
        { id: "t-root", ownerId: "bob", roles: ["root"], expiresAt: null, revokedAt: null },
      ],
    },
    { now: () => NOW },
  );
}

const brief = (p: Permission) =>
  `${p.effect} ${p.resourceType} ${p.via.policy}#${p.via.ruleIndex} via ${p.via.role}/${p.via.grantId}`;

describe("effectivePermissions", () => {
  it("lists the allows and denies of live grants with their provenance, grant by grant", () => {
    const perms = engine().effectivePermissions({ kind: "user", userId: "alice" });
    expect(perms.map(brief)).to.deep.equal([
      "ALLOW job deploy#0 via deployer/g1",
      "DENY secret deploy#1 via deployer/g1",
      "ALLOW * view#0 via deployer/g1",
      "ALLOW node shell#0 via ops/g2",
    ]);
    expect(perms[0]).to.deep.equal({
      effect: "ALLOW",
      resourceType: "job",
      namespace: "prod/**",
      name: "*",
      labels: [],
      capabilities: ["stop", "submit"],
      requireMfa: false,
      sourceCidrs: [],
      via: { policy: "deploy", ruleIndex: 0, role: "deployer", grantId: "g1" },
      scope: "prod",
      expiresAt: EXPIRES,
    });
  });

  it("expands capabilities against the registry", () => {
    const perms = engine().effectivePermissions({ kind: "user", userId: "alice" });
    expect(perms[1].capabilities).to.deep.equal(["list", "read", "write", "delete"]);
    expect(perms[2].capabilities).to.have.members(["list", "read"]);
    expect(perms[0].capabilities).to.have.members(["submit", "stop"]);
  });

  it("reports the role's requireSessionMfa and the rule's networks as effective conditions", () => {
    const shell = engine().effectivePermissions({ kind: "user", userId: "alice" })[3];
    expect(shell).to.deep.include({ requireMfa: true, sourceCidrs: ["10.0.0.0/8"], scope: "", expiresAt: null });
  });

  it("filters by resource type, keeping rules about '*'", () => {
    const perms = engine().effectivePermissions({ kind: "user", userId: "alice" }, { resourceType: "job" });
    expect(perms.map(brief)).to.deep.equal(["ALLOW job deploy#0 via deployer/g1", "ALLOW * view#0 via deployer/g1"]);
    expect(perms[1].capabilities).to.deep.equal(["list", "read"]);
  });

  it("leaves out '*' rules when filtering on a system type", () => {
    expect(engine().effectivePermissions({ kind: "user", userId: "alice" }, { resourceType: "user" })).to.deep.equal(
      [],
    );
  });

  it("filters by namespace, considering both the rule's glob and the grant's scope", () => {
    const e = engine();
    expect(
      e.effectivePermissions({ kind: "user", userId: "alice" }, { namespace: "prod/eu" }).map(brief),
    ).to.deep.equal([
      "ALLOW job deploy#0 via deployer/g1",
      "DENY secret deploy#1 via deployer/g1",
      "ALLOW * view#0 via deployer/g1",
      "ALLOW node shell#0 via ops/g2",
    ]);
    expect(
      e.effectivePermissions({ kind: "user", userId: "alice" }, { namespace: "staging" }).map(brief),
    ).to.deep.equal(["ALLOW node shell#0 via ops/g2"]);
  });

  it("restricts a token to the permissions coming from its roles and what they inherit", () => {
    expect(engine().effectivePermissions({ kind: "token", tokenId: "t-deploy" }).map(brief)).to.deep.equal([
      "ALLOW job deploy#0 via deployer/g1",
      "DENY secret deploy#1 via deployer/g1",
      "ALLOW * view#0 via deployer/g1",
    ]);
  });

  it("shows a superuser role as one permission on everything", () => {
    const perms = engine().effectivePermissions({ kind: "user", userId: "bob" });
    expect(perms).to.deep.equal([
      {
        effect: "ALLOW",
        resourceType: "*",
        namespace: "**",
        name: "*",
        labels: [],
        capabilities: ["*"],
        requireMfa: false,
        sourceCidrs: [],
        via: { policy: "", ruleIndex: -1, role: "root", grantId: "g4" },
        scope: "",
        expiresAt: null,
      },
    ]);
    expect(engine().effectivePermissions({ kind: "token", tokenId: "t-root" })).to.deep.equal(perms);
  });

  it("lists nothing for a locked or unknown user", () => {
    expect(engine().effectivePermissions({ kind: "user", userId: "carl" })).to.deep.equal([]);
    expect(engine().effectivePermissions({ kind: "user", userId: "nobody" })).to.deep.equal([]);
  });

  it("is deterministic", () => {
    const a = engine().effectivePermissions({ kind: "user", userId: "alice" });
    const b = engine().effectivePermissions({ kind: "user", userId: "alice" });
    expect(a).to.deep.equal(b);
  });

  it("names the roles a user holds now", () => {
    const e = engine();
    expect(e.rolesOf("alice")).to.deep.equal(["deployer", "ops"]);
    expect(e.rolesOf("nobody")).to.deep.equal([]);
    expect(e.isSuperuser({ kind: "user", userId: "bob" })).to.equal(true);
    expect(e.isSuperuser({ kind: "user", userId: "alice" })).to.equal(false);
  });
});
