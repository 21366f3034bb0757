// Malformed documents: each must be refused with a ValidationError whose issues
// include the expected path (and message fragment). Nothing else may be thrown.

import { expect } from "chai";
import fc from "fast-check";
import { stringify } from "yaml";
import {
  parsePolicyDocument,
  parseResourceTypeDocument,
  parseResourceTypeDocuments,
  parseRoleDocument,
  ValidationError,
  type RoleRefs,
} from "../../../src/engine";
import { DEFAULT_TYPES } from "../../support/case-loader";

const TYPES = new Map(DEFAULT_TYPES.map((t) => [t.name, t]));
const STORED_INHERITS: Record<string, string[]> = {
  viewer: [],
  developer: ["viewer"],
  lead: ["developer"],
  auditor: [],
};
const REFS: RoleRefs = {
  policyExists: (n) => ["deployer-prod", "viewer-base", "audit-read"].includes(n),
  roleInherits: (n) => STORED_INHERITS[n],
  policyNames: () => ["deployer-prod", "viewer-base", "audit-read"],
  roleNames: () => Object.keys(STORED_INHERITS),
};

function refusal(parse: () => unknown): ValidationError {
  try {
    parse();
  } catch (err) {
    expect(err, "only ValidationError may be thrown").to.be.instanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error("the document was accepted");
}

const rule = (body: string) => `kind: policy\nname: p\nrules:\n  - ${body.split("\n").join("\n    ")}\n`;
const role = (body: string) => `kind: role\nname: newbie\n${body}\n`;

// [name, document text, expected path, message fragment]
const POLICIES: Array<[string, unknown, string, string]> = [
  ["wrong kind", "kind: role\nname: p\nrules: []", "kind", "expected kind 'policy'"],
  ["missing kind", "name: p\nrules: []", "kind", "missing required key 'kind'"],
  ["missing name", "kind: policy\nrules: []", "name", "missing required key 'name'"],
  ["empty name", "kind: policy\nname: ''\nrules: []", "name", "must not be empty"],
  ["name with a space", "kind: policy\nname: a b\nrules: []", "name", "invalid name"],
  ["name with a slash", "kind: policy\nname: a/b\nrules: []", "name", "invalid name"],
  ["name of 65 characters", `kind: policy\nname: ${"x".repeat(65)}\nrules: []`, "name", "invalid name"],
  ["numeric name", "kind: policy\nname: 42\nrules: []", "name", "expected a string"],
  ["numeric description", "kind: policy\nname: p\ndescription: 42\nrules: []", "description", "expected a string"],
  ["missing rules", "kind: policy\nname: p", "rules", "missing required key 'rules'"],
  ["rules as a mapping", "kind: policy\nname: p\nrules: { a: 1 }", "rules", "expected a list"],
  ["a rule that is not a mapping", "kind: policy\nname: p\nrules: [job]", "rules[0]", "expected a mapping"],
  ["a null rule", "kind: policy\nname: p\nrules: [~]", "rules[0]", "expected a mapping"],
  ["misspelt top-level key", "kind: policy\nname: p\nrules: []\npolices: []", "polices", "unknown key 'polices'"],
  [
    "misspelt rule key",
    rule("resource: job\nnamespce: prod\nlevel: READ"),
    "rules[0].namespce",
    "did you mean 'namespace'?",
  ],
  ["unknown rule key", rule("resource: job\nlevel: READ\npriority: 1"), "rules[0].priority", "unknown key 'priority'"],
  ["missing resource", rule("level: READ"), "rules[0].resource", "missing required key 'resource'"],
  [
    "missing resource in the second rule",
    "kind: policy\nname: p\nrules:\n  - { resource: job, level: READ }\n  - { level: READ }\n",
    "rules[1].resource",
    "missing required key 'resource'",
  ],
  [
    "a name glob over 256 characters",
    rule(`resource: job\nlevel: READ\nname: '${"x".repeat(257)}'`),
    "rules[0].name",
    "at most 256 characters",
  ],
  [
    "a name glob with 1,000 distinct CJK characters",
    rule(
      `resource: job\nlevel: READ\nname: '*a????????????????${Array.from({ length: 1000 }, (_, i) => String.fromCharCode(0x4e00 + i)).join("")}'`,
    ),
    "rules[0].name",
    "at most 256 characters",
  ],
  [
    "a name glob with 17 wildcards",
    rule(`resource: job\nlevel: READ\nname: '*a????????????????'`),
    "rules[0].name",
    "at most 16 wildcards",
  ],
  [
    "a namespace glob with 17 wildcards",
    rule(`resource: job\nlevel: READ\nnamespace: '${Array(17).fill("*").join("/")}'`),
    "rules[0].namespace",
    "at most 16 wildcards",
  ],
  [
    "a label value glob with 17 wildcards",
    rule(`resource: job\nlevel: READ\nlabels: { env: ['${"?".repeat(17)}'] }`),
    "rules[0].labels.env[0]",
    "at most 16 wildcards",
  ],
  [
    "a '..' segment in a namespace",
    rule("resource: job\nlevel: READ\nnamespace: staging/../prod"),
    "rules[0].namespace",
    "'.' or '..' segments",
  ],
  [
    "a '.' segment in a namespace",
    rule("resource: job\nlevel: READ\nnamespace: ./prod/**"),
    "rules[0].namespace",
    "'.' or '..' segments",
  ],
  [
    "a space in a namespace",
    rule("resource: job\nlevel: READ\nnamespace: 'prod /**'"),
    "rules[0].namespace",
    "whitespace",
  ],
  [
    "a zero-width space in a namespace",
    rule('resource: job\nlevel: READ\nnamespace: "pr\\u200bod"'),
    "rules[0].namespace",
    "invisible",
  ],
  ["unknown resource type", rule("resource: jbo\nlevel: READ"), "rules[0].resource", "did you mean 'job'?"],
  ["uppercase resource type", rule("resource: Job\nlevel: READ"), "rules[0].resource", "lowercase"],
  ["numeric resource", rule("resource: 7\nlevel: READ"), "rules[0].resource", "expected a string"],
  [
    "misspelt capability",
    rule("resource: job\ncapabilities: [read, sumbit]"),
    "rules[0].capabilities[1]",
    "unknown capability 'sumbit' for job (did you mean 'submit'?)",
  ],
  [
    "capability of another type",
    rule("resource: secret\ncapabilities: [drain]"),
    "rules[0].capabilities[0]",
    "unknown capability 'drain' for secret",
  ],
  [
    "capability no infrastructure type has",
    rule("resource: '*'\ncapabilities: [escalate]"),
    "rules[0].capabilities[0]",
    "unknown capability 'escalate'",
  ],
  ["capabilities as a string", rule("resource: job\ncapabilities: read"), "rules[0].capabilities", "expected a list"],
  [
    "numeric capability",
    rule("resource: job\ncapabilities: [read, 3]"),
    "rules[0].capabilities[1]",
    "expected a string",
  ],
  [
    "capability listed twice",
    rule("resource: job\ncapabilities: [read, read]"),
    "rules[0].capabilities[1]",
    "listed twice",
  ],
  [
    "both capabilities and level",
    rule("resource: job\ncapabilities: [read]\nlevel: READ"),
    "rules[0].level",
    "never both",
  ],
  ["neither capabilities nor level", rule("resource: job"), "rules[0].capabilities", "needs capabilities or level"],
  ["unknown level", rule("resource: job\nlevel: SUPER"), "rules[0].level", "unknown level 'SUPER'"],
  ["misspelt level", rule("resource: job\nlevel: OPERTE"), "rules[0].level", "did you mean 'OPERATE'?"],
  ["numeric level", rule("resource: job\nlevel: 3"), "rules[0].level", "expected a string"],
  ["unknown effect", rule("resource: job\nlevel: READ\neffect: maybe"), "rules[0].effect", "allow or deny"],
  ["numeric effect", rule("resource: job\nlevel: READ\neffect: 0"), "rules[0].effect", "expected a string"],
  [
    "when on a deny rule",
    rule("resource: job\nlevel: READ\neffect: deny\nwhen: { mfa: true }"),
    "rules[0].when",
    "only allowed on allow rules",
  ],
  [
    "when on capabilities: []",
    rule("resource: job\ncapabilities: []\nwhen: { mfa: true }"),
    "rules[0].when",
    "only allowed on allow rules",
  ],
  [
    "capabilities: [] with effect allow",
    rule("resource: job\ncapabilities: []\neffect: allow"),
    "rules[0].capabilities",
    "denies every capability",
  ],
  [
    "misspelt when key",
    rule("resource: job\nlevel: READ\nwhen: { mfaa: true }"),
    "rules[0].when.mfaa",
    "did you mean 'mfa'?",
  ],
  [
    "when.mfa as a word",
    rule("resource: job\nlevel: READ\nwhen: { mfa: 'yes' }"),
    "rules[0].when.mfa",
    "expected true or false",
  ],
  ["when as a list", rule("resource: job\nlevel: READ\nwhen: [mfa]"), "rules[0].when", "expected a mapping"],
  [
    "sourceCidrs as a string",
    rule("resource: job\nlevel: READ\nwhen: { sourceCidrs: 10.0.0.0/8 }"),
    "rules[0].when.sourceCidrs",
    "expected a list",
  ],
  [
    "empty sourceCidrs",
    rule("resource: job\nlevel: READ\nwhen: { sourceCidrs: [] }"),
    "rules[0].when.sourceCidrs",
    "at least one network",
  ],
  [
    "IPv4 prefix too long",
    rule("resource: job\nlevel: READ\nwhen: { sourceCidrs: [10.0.0.0/33] }"),
    "rules[0].when.sourceCidrs[0]",
    "invalid network",
  ],
  [
    "IPv4 address out of range",
    rule("resource: job\nlevel: READ\nwhen: { sourceCidrs: [10.0.0.256/8] }"),
    "rules[0].when.sourceCidrs[0]",
    "invalid network",
  ],
  [
    "IPv4 address too short",
    rule("resource: job\nlevel: READ\nwhen: { sourceCidrs: [10.0.0/8] }"),
    "rules[0].when.sourceCidrs[0]",
    "invalid network",
  ],
  [
    "IPv6 prefix too long",
    rule("resource: job\nlevel: READ\nwhen: { sourceCidrs: ['::/129'] }"),
    "rules[0].when.sourceCidrs[0]",
    "invalid network",
  ],
  [
    "IPv6 with two ::",
    rule("resource: job\nlevel: READ\nwhen: { sourceCidrs: ['1::2::3/64'] }"),
    "rules[0].when.sourceCidrs[0]",
    "invalid network",
  ],
  [
    "second network invalid",
    rule("resource: job\nlevel: READ\nwhen: { sourceCidrs: [10.0.0.0/8, banana] }"),
    "rules[0].when.sourceCidrs[1]",
    "invalid network 'banana'",
  ],
  [
    "** inside a namespace segment",
    rule("resource: job\nnamespace: 'prod**'\nlevel: READ"),
    "rules[0].namespace",
    "'**' must be a whole segment",
  ],
  [
    "*** as a namespace segment",
    rule("resource: job\nnamespace: 'a/***'\nlevel: READ"),
    "rules[0].namespace",
    "'**' must be a whole segment",
  ],
  [
    "empty namespace segment",
    rule("resource: job\nnamespace: a//b\nlevel: READ"),
    "rules[0].namespace",
    "empty segments",
  ],
  [
    "leading slash in a namespace",
    rule("resource: job\nnamespace: /prod\nlevel: READ"),
    "rules[0].namespace",
    "start or end with '/'",
  ],
  [
    "trailing slash in a namespace",
    rule("resource: job\nnamespace: prod/\nlevel: READ"),
    "rules[0].namespace",
    "start or end with '/'",
  ],
  [
    "control character in a namespace",
    rule('resource: job\nnamespace: "pr\\u0001od"\nlevel: READ'),
    "rules[0].namespace",
    "control characters",
  ],
  [
    "empty namespace glob",
    rule("resource: job\nnamespace: ''\nlevel: READ"),
    "rules[0].namespace",
    "must not be empty",
  ],
  ["numeric namespace", rule("resource: job\nnamespace: 2024\nlevel: READ"), "rules[0].namespace", "expected a string"],
  [
    "** inside a name segment",
    rule("resource: job\nname: 'api**'\nlevel: READ"),
    "rules[0].name",
    "'**' must be a whole segment",
  ],
  ["labels as a list", rule("resource: job\nlabels: [team]\nlevel: READ"), "rules[0].labels", "expected a mapping"],
  [
    "label with no values",
    rule("resource: job\nlabels: { team: [] }\nlevel: READ"),
    "rules[0].labels.team",
    "at least one value",
  ],
  [
    "numeric label value",
    rule("resource: job\nlabels: { team: 7 }\nlevel: READ"),
    "rules[0].labels.team",
    "expected a string",
  ],
  [
    "invalid label glob",
    rule("resource: job\nlabels: { team: [pay, 'a**'] }\nlevel: READ"),
    "rules[0].labels.team[1]",
    "whole segment",
  ],
  [
    "'*' key with another value",
    rule("resource: job\nlabels: { '*': prod }\nlevel: READ"),
    'rules[0].labels["*"]',
    "only takes the value '*'",
  ],
  ["empty label key", rule("resource: job\nlabels: { '': x }\nlevel: READ"), 'rules[0].labels[""]', "label keys"],
  [
    "a later rule",
    "kind: policy\nname: p\nrules:\n  - resource: job\n    level: READ\n  - resource: job\n    level: READ\n  - resource: job\n    capabilities: [sumbit]",
    "rules[2].capabilities[0]",
    "did you mean 'submit'?",
  ],
  ["YAML syntax error", "kind: policy\nname: p\nrules: [", "document", "line"],
  ["unclosed quote", 'kind: policy\nname: "p\nrules: []', "document", "line"],
  ["tab indentation", "kind: policy\nname: p\nrules:\n\t- resource: job", "document", "line"],
  ["duplicate key", "kind: policy\nname: p\nname: q\nrules: []", "document", "unique"],
  ["unknown tag", "kind: policy\nname: !secret p\nrules: []", "document", "line"],
  [
    "alias bomb",
    `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 8 }, (_, i) => `${"bcdefghi"[i]}: &${"bcdefghi"[i]} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(", ")}]`).join("\n")}\nkind: policy\nname: p\nrules: []`,
    "document",
    "too many aliases",
  ],
  [
    "document over 64 KB",
    `kind: policy\nname: p\ndescription: ${"x".repeat(70_000)}\nrules: []`,
    "document",
    "larger than 64 KB",
  ],
  ["a number instead of text", 42, "document", "expected YAML text"],
  ["null instead of text", null, "document", "expected YAML text"],
  ["an object instead of text", { kind: "policy" }, "document", "expected YAML text"],
  ["empty text", "", "document", "expected a mapping"],
  ["a list at the top", "- kind: policy", "document", "expected a mapping"],
  ["a scalar at the top", "just words", "document", "expected a mapping"],
  ["a non-string key", "kind: policy\nname: p\nrules: []\n1: x", "document", "keys must be strings"],
  ["binary data", "kind: policy\nname: !!binary aGVsbG8=\nrules: []", "name", "expected a string"],
  ["deeply nested junk", `kind: policy\nname: p\nrules: ${"[".repeat(3000)}`, "document", ""],
];

const ROLES: Array<[string, string, string, string]> = [
  ["wrong kind", "kind: policy\nname: r", "kind", "expected kind 'role'"],
  ["missing name", "kind: role\npolicies: []", "name", "missing required key 'name'"],
  ["name with a space", "kind: role\nname: a b", "name", "invalid name"],
  ["misspelt key", role("polices: [viewer-base]"), "polices", "did you mean 'policies'?"],
  [
    "unknown policy",
    role("policies: [deployer-prd]"),
    "policies[0]",
    "unknown policy 'deployer-prd' (did you mean 'deployer-prod'?)",
  ],
  ["unknown second policy", role("policies: [viewer-base, nope]"), "policies[1]", "unknown policy 'nope'"],
  ["policies as a string", role("policies: viewer-base"), "policies", "expected a list"],
  ["policy listed twice", role("policies: [viewer-base, viewer-base]"), "policies[1]", "listed twice"],
  ["numeric policy", role("policies: [3]"), "policies[0]", "expected a string"],
  [
    "unknown inherited role",
    role("inherits: [veiwer]"),
    "inherits[0]",
    "unknown role 'veiwer' (did you mean 'viewer'?)",
  ],
  ["inheriting itself", role("inherits: [newbie]"), "inherits[0]", "cannot inherit itself"],
  [
    "inheritance cycle through stored roles",
    "kind: role\nname: viewer\ninherits: [lead]",
    "inherits[0]",
    "inheritance cycle: viewer -> lead -> developer -> viewer",
  ],
  [
    "cycle closed by the second entry",
    "kind: role\nname: viewer\ninherits: [auditor, developer]",
    "inherits[1]",
    "inheritance cycle",
  ],
  ["inherits as a mapping", role("inherits: { viewer: true }"), "inherits", "expected a list"],
  ["numeric inherited role", role("inherits: [1]"), "inherits[0]", "expected a string"],
  ["options as a list", role("options: [8h]"), "options", "expected a mapping"],
  ["misspelt option", role("options: { maxSessionTTL: 8h }"), "options.maxSessionTTL", "did you mean 'maxSessionTtl'?"],
  ["malformed duration", role("options: { maxSessionTtl: 8x }"), "options.maxSessionTtl", "invalid duration"],
  ["duration as a number", role("options: { maxSessionTtl: 3600 }"), "options.maxSessionTtl", "expected a string"],
  ["zero duration", role("options: { maxSessionTtl: 0s }"), "options.maxSessionTtl", "longer than 0s"],
  ["absurd duration", role("options: { maxSessionTtl: 99999d }"), "options.maxSessionTtl", "longer than"],
  [
    "requireSessionMfa as a word",
    role("options: { requireSessionMfa: 'yes' }"),
    "options.requireSessionMfa",
    "expected true or false",
  ],
  [
    "unknown requestable role",
    role("request: { roles: [prod-access] }"),
    "request.roles[0]",
    "unknown role 'prod-access'",
  ],
  ["zero approvals", role("request: { approvals: 0 }"), "request.approvals", "from 1 to 100"],
  ["infinite approvals", role("request: { approvals: 1e400 }"), "request.approvals", "from 1 to 100"],
  ["fractional denials", role("request: { denials: 1.5 }"), "request.denials", "whole number"],
  ["approvals as text", role("request: { approvals: two }"), "request.approvals", "whole number"],
  ["misspelt request key", role("request: { approval: 2 }"), "request.approval", "did you mean 'approvals'?"],
  [
    "unknown reviewable role",
    role("reviewRequests: { roles: [ghost] }"),
    "reviewRequests.roles[0]",
    "unknown role 'ghost'",
  ],
  ["reviewRequests as a list", role("reviewRequests: [viewer]"), "reviewRequests", "expected a mapping"],
  ["superuser as text", role("superuser: 'true'"), "superuser", "expected true or false"],
  ["description as a list", role("description: [a]"), "description", "expected a string"],
  ["YAML syntax error", "kind: role\nname: [", "document", "line"],
];

const TYPE_DOCS: Array<[string, string, string, string]> = [
  ["wrong kind", "kind: type\nname: queue\ncapabilities: { read: READ }", "kind", "expected kind 'resourceType'"],
  ["uppercase name", "kind: resourceType\nname: Queue\ncapabilities: { read: READ }", "name", "lowercase"],
  ["name with a dash", "kind: resourceType\nname: my-queue\ncapabilities: { read: READ }", "name", "lowercase"],
  ["missing capabilities", "kind: resourceType\nname: queue", "capabilities", "missing required key 'capabilities'"],
  ["no capabilities", "kind: resourceType\nname: queue\ncapabilities: {}", "capabilities", "at least one capability"],
  [
    "capabilities as a list",
    "kind: resourceType\nname: queue\ncapabilities: [read]",
    "capabilities",
    "expected a mapping",
  ],
  [
    "uppercase capability",
    "kind: resourceType\nname: queue\ncapabilities: { Read: READ }",
    "capabilities.Read",
    "invalid capability name",
  ],
  [
    "'*' as a capability",
    "kind: resourceType\nname: queue\ncapabilities: { '*': READ }",
    'capabilities["*"]',
    "invalid capability name",
  ],
  [
    "unknown level",
    "kind: resourceType\nname: queue\ncapabilities: { read: READING }",
    "capabilities.read",
    "did you mean 'READ'?",
  ],
  [
    "misspelt key",
    "kind: resourceType\nname: queue\ncapabilites: { read: READ }",
    "capabilites",
    "did you mean 'capabilities'?",
  ],
];

describe("document validation", () => {
  describe("policy documents", () => {
    for (const [name, text, path, fragment] of POLICIES) {
      it(`refuses ${name} at ${path}`, () => {
        const err = refusal(() => parsePolicyDocument(text as string, TYPES));
        const issue = err.issues.find((i) => i.path === path);
        expect(issue, `issues: ${err.message}`).to.not.equal(undefined);
        expect(issue!.message).to.include(fragment);
      });
    }
  });

  describe("role documents", () => {
    for (const [name, text, path, fragment] of ROLES) {
      it(`refuses ${name} at ${path}`, () => {
        const err = refusal(() => parseRoleDocument(text, REFS));
        const issue = err.issues.find((i) => i.path === path);
        expect(issue, `issues: ${err.message}`).to.not.equal(undefined);
        expect(issue!.message).to.include(fragment);
      });
    }
  });

  describe("resource type documents", () => {
    for (const [name, text, path, fragment] of TYPE_DOCS) {
      it(`refuses ${name} at ${path}`, () => {
        const err = refusal(() => parseResourceTypeDocument(text));
        const issue = err.issues.find((i) => i.path === path);
        expect(issue, `issues: ${err.message}`).to.not.equal(undefined);
        expect(issue!.message).to.include(fragment);
      });
    }

    it("prefixes paths with the document's position in a stream", () => {
      const text =
        "kind: resourceType\nname: queue\ncapabilities: { read: READ }\n---\nkind: resourceType\nname: Bad\ncapabilities: { read: READ }";
      const err = refusal(() => parseResourceTypeDocuments(text));
      expect(err.issues.map((i) => i.path)).to.deep.equal(["[1].name"]);
    });

    it("reports a syntax error in a stream at that document", () => {
      const text = "kind: resourceType\nname: queue\ncapabilities: { read: READ }\n---\nkind: [";
      const err = refusal(() => parseResourceTypeDocuments(text));
      expect(err.issues[0].path).to.equal("[1].document");
      expect(err.issues[0].message).to.match(/line \d+, column \d+/);
    });
  });

  it("has over a hundred malformed documents above", () => {
    expect(POLICIES.length + ROLES.length + TYPE_DOCS.length).to.be.above(100);
  });

  it("reports every problem of a document, each at its path, one per line in the message", () => {
    const text = [
      "kind: policy",
      "name: bad name",
      "rules:",
      "  - resource: jbo",
      "    level: READ",
      "  - resource: job",
      "    namespce: prod",
      "    capabilities: [sumbit]",
      "    level: READ",
      "  - resource: job",
      "    capabilities: [read]",
      "    effect: deny",
      "    when: { mfa: true }",
      "  - resource: job",
      "    level: READ",
      "    when: { sourceCidrs: ['10.0.0.0/33'] }",
    ].join("\n");
    const err = refusal(() => parsePolicyDocument(text, TYPES));
    expect(err.issues.map((i) => i.path)).to.have.members([
      "name",
      "rules[0].resource",
      "rules[1].namespce",
      "rules[1].capabilities[0]",
      "rules[1].level",
      "rules[2].when",
      "rules[3].when.sourceCidrs[0]",
    ]);
    expect(err.message.split("\n")).to.have.length(err.issues.length);
    expect(err.message).to.include(
      "rules[1].capabilities[0]: unknown capability 'sumbit' for job (did you mean 'submit'?)",
    );
  });

  it("gives line and column for a syntax error", () => {
    const err = refusal(() => parsePolicyDocument("kind: policy\nname: p\nrules: [\n  - x", TYPES));
    expect(err.issues[0].path).to.equal("document");
    expect(err.issues[0].message).to.match(/^line \d+, column \d+: /);
  });

  it("throws nothing but ValidationError for random values written as YAML", () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4 }), (value) => {
        let text: string;
        try {
          text = stringify(value);
        } catch {
          return;
        }
        for (const parse of [
          () => parsePolicyDocument(text, TYPES),
          () => parseRoleDocument(text, REFS),
          () => parseResourceTypeDocument(text),
        ]) {
          try {
            parse();
          } catch (err) {
            expect(err).to.be.instanceOf(ValidationError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("throws nothing but ValidationError for random text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        for (const parse of [
          () => parsePolicyDocument(text, TYPES),
          () => parseRoleDocument(text, REFS),
          () => parseResourceTypeDocuments(text),
        ]) {
          try {
            parse();
          } catch (err) {
            expect(err).to.be.instanceOf(ValidationError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("throws nothing but ValidationError for near-valid policies with random field values", () => {
    const field = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string()),
      fc.dictionary(fc.string(), fc.string()),
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            resource: field,
            namespace: field,
            name: field,
            labels: field,
            capabilities: field,
            level: field,
            effect: field,
            when: field,
          },
          { requiredKeys: [] },
        ),
        (r) => {
          try {
            parsePolicyDocument(stringify({ kind: "policy", name: "p", rules: [r] }), TYPES);
          } catch (err) {
            expect(err).to.be.instanceOf(ValidationError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
