import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { DEFAULT_SEEDS_DIR } from "../../../src/app";
import { loadSeeds, SeedError } from "../../../src/domain/seeds/seed-loader";

// docs/documents.md, level by level.
const TABLE: Record<string, Record<string, string[]>> = {
  namespace: { METADATA: ["list", "read"], ADMIN: ["create", "delete"] },
  job: {
    METADATA: ["list", "read"],
    READ: ["logs"],
    OPERATE: ["restart", "stop"],
    ADMIN: ["submit", "delete"],
    OWNER: ["exec"],
  },
  alloc: { METADATA: ["list", "read"], READ: ["logs"], OPERATE: ["restart"], OWNER: ["exec"] },
  node: { METADATA: ["list", "read"], OPERATE: ["drain"], OWNER: ["exec"] },
  secret: { METADATA: ["list"], READ: ["read"], ADMIN: ["write", "delete"] },
  db: { METADATA: ["list", "read"], READ: ["query"], ADMIN: ["write"], OWNER: ["admin"] },
  app: {
    METADATA: ["list", "read"],
    READ: ["logs", "env"],
    OPERATE: ["restart", "scale"],
    ADMIN: ["deploy", "delete"],
    OWNER: ["exec"],
  },
  user: { METADATA: ["list", "read"], OPERATE: ["lock", "unlock"], ADMIN: ["create", "update", "deprovision"] },
  role: { METADATA: ["list", "read"], OWNER: ["create", "update", "delete", "escalate"] },
  policy: { METADATA: ["list", "read"], OWNER: ["create", "update", "delete"] },
  grant: { METADATA: ["list", "read"], OWNER: ["create", "delete"] },
  token: { METADATA: ["list", "read"], OPERATE: ["create", "revoke"] },
  audit: { READ: ["read"] },
  sso: { METADATA: ["read"], OWNER: ["update"] },
  access_request: { METADATA: ["list", "read"], ADMIN: ["review"] },
  resource_type: { METADATA: ["list", "read"], OWNER: ["create"] },
  permission: { READ: ["check"] },
};

function tempSeeds(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-seeds-"));
  mkdirSync(join(dir, "policies"));
  mkdirSync(join(dir, "roles"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("loadSeeds", () => {
  it("loads exactly the resource types and levels of the product specification", () => {
    const { types } = loadSeeds(DEFAULT_SEEDS_DIR);
    const expected = Object.fromEntries(
      Object.entries(TABLE).map(([type, levels]) => [
        type,
        Object.fromEntries(Object.entries(levels).flatMap(([level, caps]) => caps.map((c) => [c, level]))),
      ]),
    );
    expect(Object.fromEntries(types.map((t) => [t.name, t.capabilities]))).to.deep.equal(expected);
  });

  it("loads the seven built-in roles and the policies they use", () => {
    const { roles, policies } = loadSeeds(DEFAULT_SEEDS_DIR);
    expect(roles.map((r) => r.doc.name).sort()).to.deep.equal([
      "admin",
      "auditor",
      "cicd",
      "deployer",
      "operator",
      "ops",
      "viewer",
    ]);
    const policyNames = new Set(policies.map((p) => p.doc.name));
    for (const r of roles)
      for (const p of r.doc.policies) expect(policyNames.has(p), `${r.doc.name} uses ${p}`).to.equal(true);
    expect(roles.every((r) => !r.doc.superuser)).to.equal(true);
  });

  it("lets deployers request ops for up to 4h with one approval, reviewed by ops and admin", () => {
    const { roles, policies } = loadSeeds(DEFAULT_SEEDS_DIR);
    const doc = (name: string) => roles.find((r) => r.doc.name === name)!.doc;
    expect(doc("deployer").request).to.deep.equal({ roles: ["ops"], approvals: 1, denials: 1 });
    expect(doc("ops").options.maxSessionTtlSeconds).to.equal(4 * 3600);
    expect(doc("ops").reviewRequests.roles).to.deep.equal(["ops"]);
    expect(doc("admin").reviewRequests.roles).to.deep.equal(["ops"]);
    for (const name of ["viewer", "auditor", "cicd", "operator"]) {
      expect(doc(name).request.roles, name).to.deep.equal([]);
      expect(doc(name).reviewRequests.roles, name).to.deep.equal([]);
    }
    const opsRules = policies.find((p) => p.doc.name === "ops-operate")!.doc.rules;
    expect(
      opsRules.filter((r) => r.resourceType === "access_request").flatMap((r) => r.capabilities ?? []),
    ).to.deep.equal(["list", "read", "review"]);
  });

  it("lists every problem of every broken file, each with its file and path", () => {
    const dir = tempSeeds({
      "resource-types.yaml": "kind: resourceType\nname: job\ncapabilities: { read: METADATA, submit: SUPERADMIN }\n",
      "policies/a.yaml":
        "kind: policy\nname: a\nrules:\n  - resource: job\n    capabilities: [sumbit]\n  - resource: jbo\n    level: READ\n",
      "policies/b.yaml": "kind: policy\nname: b\nrules:\n  - resource: job\n    namespce: prod\n    level: READ\n",
      "roles/r.yaml": "kind: role\nname: r\npolicies: [a, missing]\ninherits: [s]\n",
      "roles/s.yaml": "kind: role\nname: s\ninherits: [r]\n",
    });
    try {
      loadSeeds(dir);
      expect.fail("expected a SeedError");
    } catch (err) {
      expect(err).to.be.instanceOf(SeedError);
      const problems = (err as SeedError).problems;
      const text = problems.join("\n");
      expect(text).to.match(/resource-types\.yaml: .*capabilities\.submit/);
      expect(text).to.match(/policies\/b\.yaml: rules\[0\]\.namespce: .*namespace/);
      expect(text).to.match(/roles\/r\.yaml: policies\[1\]: .*missing/);
      expect(text).to.match(/roles\/(r|s)\.yaml: inherits\[0\]: .*cycle/);
      expect(problems.length).to.be.greaterThanOrEqual(4);
    }
  });

  it("refuses two files defining the same role name, ignoring case", () => {
    const dir = tempSeeds({
      "resource-types.yaml": "kind: resourceType\nname: job\ncapabilities: { read: METADATA }\n",
      "roles/one.yaml": "kind: role\nname: Dev\n",
      "roles/two.yaml": "kind: role\nname: dev\n",
    });
    expect(() => loadSeeds(dir)).to.throw(SeedError, /role 'dev' is also defined in/);
  });
});
