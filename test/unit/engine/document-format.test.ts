import { expect } from "chai";
import fc from "fast-check";
import {
  formatPolicyDocument,
  formatResourceTypeDocument,
  formatRoleDocument,
  parsePolicyDocument,
  parseResourceTypeDocument,
  parseRoleDocument,
  type PolicyDoc,
  type RoleDoc,
  type RoleRefs,
  type RuleSpec,
} from "../../../src/engine";
import { DEFAULT_TYPES } from "../../support/case-loader";

const TYPES = new Map(DEFAULT_TYPES.map((t) => [t.name, t]));
const REFS: RoleRefs = {
  policyExists: () => true,
  roleInherits: (n) => (n === "ghost" ? undefined : []),
  policyNames: () => [],
  roleNames: () => [],
};

describe("policy documents", () => {
  const example = `kind: policy
name: deployer-prod
description: Submit jobs in prod, never read secrets
rules:
  - resource: job              # type, or "*"
    namespace: "prod/**"
    name: "*"
    labels: { team: [payments, core] }
    capabilities: [read, list, submit, stop]
  - resource: alloc
    namespace: prod
    level: READ
  - resource: secret
    capabilities: []
  - resource: node
    capabilities: [exec]
    effect: deny
  - resource: db
    namespace: prod
    level: ADMIN
    when: { mfa: true, sourceCidrs: [10.20.0.0/16] }
`;

  it("reads the example of docs/documents.md", () => {
    const doc = parsePolicyDocument(example, TYPES);
    expect(doc.name).to.equal("deployer-prod");
    expect(doc.description).to.equal("Submit jobs in prod, never read secrets");
    expect(doc.rules[0]).to.deep.equal({
      effect: "ALLOW",
      resourceType: "job",
      namespace: "prod/**",
      name: "*",
      labels: [{ key: "team", values: ["payments", "core"] }],
      capabilities: ["read", "list", "submit", "stop"],
      level: null,
      requireMfa: false,
      sourceCidrs: [],
    });
    expect(doc.rules[1]).to.include({
      resourceType: "alloc",
      namespace: "prod",
      name: "*",
      level: "READ",
      capabilities: null,
    });
    expect(doc.rules[2]).to.deep.include({ effect: "DENY", capabilities: ["*"], level: null });
    expect(doc.rules[3]).to.deep.include({ effect: "DENY", capabilities: ["exec"] });
    expect(doc.rules[4]).to.deep.include({ level: "ADMIN", requireMfa: true, sourceCidrs: ["10.20.0.0/16"] });
  });

  it("fills in the defaults: namespace **, name *, no labels, allow", () => {
    const doc = parsePolicyDocument("kind: policy\nname: p\nrules:\n  - resource: job\n    level: READ\n", TYPES);
    expect(doc).to.deep.equal({
      name: "p",
      description: null,
      rules: [
        {
          effect: "ALLOW",
          resourceType: "job",
          namespace: "**",
          name: "*",
          labels: [],
          capabilities: null,
          level: "READ",
          requireMfa: false,
          sourceCidrs: [],
        },
      ],
    });
  });

  it("writes YAML that reads back to the same document", () => {
    const doc = parsePolicyDocument(example, TYPES);
    const text = formatPolicyDocument(doc);
    expect(parsePolicyDocument(text, TYPES)).to.deep.equal(doc);
    expect(formatPolicyDocument(parsePolicyDocument(text, TYPES))).to.equal(text);
  });

  const glob = fc.constantFrom(
    "**",
    "*",
    "prod",
    "prod/**",
    "a/*/b",
    "yes",
    "null",
    "123",
    "~",
    "*-1",
    "? x",
    "#hash",
    "a: b",
    "'q'",
    '"dq"',
    "é/ü",
  );
  const ruleArb: fc.Arbitrary<RuleSpec> = fc
    .record({
      deny: fc.boolean(),
      resourceType: fc.constantFrom("*", "job", "secret", "user"),
      // Namespace globs never hold whitespace; names and label values may.
      namespace: glob.filter((g) => !/\s/.test(g)),
      name: glob,
      labels: fc.uniqueArray(
        fc.record({
          key: fc.constantFrom("team", "env", "true", "k:v", "*"),
          values: fc.array(glob, { minLength: 1, maxLength: 2 }),
        }),
        { selector: (l) => l.key, maxLength: 2 },
      ),
      what: fc.oneof(
        fc.constantFrom("METADATA", "OWNER").map((level) => ({ level, capabilities: null })),
        fc.constant({ level: null, capabilities: ["*"] }),
        fc.constant({ level: null, capabilities: ["list", "read"] }),
      ),
      mfa: fc.boolean(),
      cidrs: fc.constantFrom([], ["10.0.0.0/8", "2001:db8::/32"]),
    })
    .map((r): RuleSpec => ({
      effect: r.deny ? "DENY" : "ALLOW",
      resourceType: r.resourceType,
      namespace: r.namespace,
      name: r.name,
      labels: r.labels.map((l) =>
        l.key === "*" ? { key: "*", values: ["*"] } : { key: l.key, values: [...l.values] },
      ),
      capabilities: r.what.capabilities === null ? null : [...r.what.capabilities],
      level: r.what.level,
      requireMfa: !r.deny && r.mfa,
      sourceCidrs: r.deny ? [] : [...r.cidrs],
    }));

  it("round-trips random valid documents, quoting whatever YAML would misread", () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 4 }), fc.option(fc.string(), { nil: null }), (rules, description) => {
        const doc: PolicyDoc = { name: "p.1:x-y_z", description, rules };
        expect(parsePolicyDocument(formatPolicyDocument(doc), TYPES)).to.deep.equal(doc);
      }),
      { numRuns: 300 },
    );
  });
});

describe("role documents", () => {
  const example = `kind: role
name: developer
description: Feature work; deploys to staging and dev
policies: [deployer-nonprod]
inherits: [viewer]
options: { maxSessionTtl: 8h, requireSessionMfa: false }
request: { roles: [production-access], approvals: 1, denials: 1 }
reviewRequests: { roles: [] }
superuser: false
`;

  it("reads the example of docs/documents.md", () => {
    expect(parseRoleDocument(example, REFS)).to.deep.equal({
      name: "developer",
      description: "Feature work; deploys to staging and dev",
      policies: ["deployer-nonprod"],
      inherits: ["viewer"],
      options: { maxSessionTtlSeconds: 28800, requireSessionMfa: false },
      request: { roles: ["production-access"], approvals: 1, denials: 1 },
      reviewRequests: { roles: [] },
      superuser: false,
    });
  });

  it("fills in the defaults", () => {
    expect(parseRoleDocument("kind: role\nname: r\n", REFS)).to.deep.equal({
      name: "r",
      description: null,
      policies: [],
      inherits: [],
      options: { maxSessionTtlSeconds: null, requireSessionMfa: false },
      request: { roles: [], approvals: 1, denials: 1 },
      reviewRequests: { roles: [] },
      superuser: false,
    });
  });

  it("accepts a role that names itself as requestable", () => {
    expect(
      parseRoleDocument("kind: role\nname: fresh\nrequest: { roles: [fresh] }", {
        ...REFS,
        roleInherits: () => undefined,
      }).request.roles,
    ).to.deep.equal(["fresh"]);
  });

  it("writes YAML that reads back to the same document", () => {
    const docs: RoleDoc[] = [
      parseRoleDocument(example, REFS),
      {
        name: "r",
        description: null,
        policies: [],
        inherits: [],
        options: { maxSessionTtlSeconds: null, requireSessionMfa: true },
        request: { roles: [], approvals: 3, denials: 2 },
        reviewRequests: { roles: ["a", "b"] },
        superuser: true,
      },
      {
        name: "t",
        description: "yes",
        policies: ["null", "123"],
        inherits: ["true"],
        options: { maxSessionTtlSeconds: 5400, requireSessionMfa: false },
        request: { roles: ["x"], approvals: 1, denials: 1 },
        reviewRequests: { roles: [] },
        superuser: false,
      },
    ];
    for (const doc of docs) expect(parseRoleDocument(formatRoleDocument(doc), REFS)).to.deep.equal(doc);
  });
});

describe("resource type documents", () => {
  it("reads a type and writes it back", () => {
    const def = parseResourceTypeDocument(
      "kind: resourceType\nname: job\ncapabilities:\n  list: METADATA\n  exec: OWNER\n",
    );
    expect(def).to.deep.equal({ name: "job", capabilities: { list: "METADATA", exec: "OWNER" } });
    expect(parseResourceTypeDocument(formatResourceTypeDocument(def))).to.deep.equal(def);
  });

  it("round-trips every seeded type", () => {
    for (const def of DEFAULT_TYPES)
      expect(parseResourceTypeDocument(formatResourceTypeDocument(def))).to.deep.equal(def);
  });
});
