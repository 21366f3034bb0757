import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { auditHead, changesSince, ok, refused } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer, issuesOf } from "../../support/server";
import { anIdentity, loginRequest } from "../../support/sso";
import { requestOk } from "../../support/access-requests";

const PLAN_FIELDS = `applied version summary { created updated deleted usersGaining usersLosing }
  changes { kind name action diff }
  accessChanges { user { id email } changes { change permission { effect resourceType namespace name capabilities scope via { policy ruleIndex role } } } }
  escalations { kind name capability message }`;
const APPLY = `mutation($d: String!, $dry: Boolean, $v: Int, $p: [String!]) { applyBundle(document: $d, dryRun: $dry, expectedVersion: $v, prune: $p) { ${PLAN_FIELDS} } }`;
const READ_POLICY = `query($n: String!) { policy(name: $n) { version document } }`;
const READ_ROLE = `query($n: String!) { role(name: $n) { name policies { name } } }`;

const unique = (base: string) => `${base}-${randomUUID().slice(0, 8)}`;
const jobPolicy = (name: string, capabilities: string, namespace = "prod/**") =>
  `kind: policy\nname: ${name}\nrules:\n  - resource: job\n    namespace: "${namespace}"\n    capabilities: ${capabilities}\n`;
const role = (name: string, policies: string[]) => `kind: role\nname: ${name}\npolicies: [${policies.join(", ")}]\n`;

interface Permission {
  effect: string;
  resourceType: string;
  namespace: string;
  name: string;
  capabilities: string[];
  scope: string;
  via: { policy: string; ruleIndex: number; role: string };
}
/** What applyBundle answers, as PLAN_FIELDS selects it. */
interface Plan {
  applied: boolean;
  version: number;
  summary: { created: number; updated: number; deleted: number; usersGaining: number; usersLosing: number };
  changes: Array<{ kind: string; name: string; action: string; diff: string }>;
  accessChanges: Array<{
    user: { id: string; email: string };
    changes: Array<{ change: string; permission: Permission }>;
  }>;
  escalations: Array<{ kind: string; name: string; capability: string; message: string }>;
}
interface ApplyResult {
  applyBundle: Plan;
}
interface PolicyResult {
  policy: { version: number; document: string } | null;
}
interface RoleResult {
  role: { name: string; policies: Array<{ name: string }> } | null;
}
interface Listed {
  name: string;
  builtIn: boolean;
}

for (const kind of databaseKinds()) {
  describe(`applyBundle on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: string;
    serverForSuite(kind, (s) => (server = s));
    before(() => {
      admin = server.adminToken;
    });

    const apply = async (
      document: string,
      options: { dryRun?: boolean; expectedVersion?: number; prune?: string[]; token?: string } = {},
    ): Promise<Plan> =>
      (
        await ok<ApplyResult>(server, options.token ?? admin, APPLY, {
          d: document,
          dry: options.dryRun ?? true,
          v: options.expectedVersion,
          p: options.prune,
        })
      ).applyBundle;

    describe("plan", () => {
      it("reports exactly the users who gain when a role is widened, with the capability gained and its provenance", async () => {
        const p = unique("jobs");
        const r = unique("jobs-role");
        await addRole(server, jobPolicy(p, "[read, list]"), role(r, [p]));
        const direct = await addUser(server, [r]);
        const scoped = await addUser(server, [r], { scope: "prod/payments" });
        const group = unique("team");
        const member = await addUser(server, [], { groups: [group] });
        await ok<{ grantRole: { id: string } }>(
          server,
          admin,
          `mutation($g: String!, $r: String!) { grantRole(input: { group: $g, role: $r }) { id } }`,
          { g: group, r },
        );
        const outsider = await addUser(server, ["viewer"]);

        const plan = await apply(`${jobPolicy(p, "[read, list, submit]")}---\n${role(r, [p])}`);
        expect(plan.applied).to.equal(false);
        expect(plan.changes.map((c) => [c.kind, c.name, c.action])).to.deep.equal([["policy", p, "update"]]);
        expect(plan.changes[0].diff)
          .to.contain(`--- a/policy/${p}`)
          .and.to.contain("-    capabilities: [read, list]")
          .and.to.contain("+    capabilities: [read, list, submit]");
        const users = plan.accessChanges.map((a) => a.user.id);
        expect(users).to.have.members([direct.user.id, scoped.user.id, member.user.id]);
        expect(users).to.not.include(outsider.user.id);
        const emails = plan.accessChanges.map((a) => a.user.email);
        expect(emails).to.deep.equal([...emails].sort());
        const ofScoped = plan.accessChanges.find((a) => a.user.id === scoped.user.id);
        expect(ofScoped!.changes).to.deep.equal([
          {
            change: "GAINED",
            permission: {
              effect: "ALLOW",
              resourceType: "job",
              namespace: "prod/**",
              name: "*",
              capabilities: ["submit"],
              scope: "prod/payments",
              via: { policy: p, ruleIndex: 0, role: r },
            },
          },
        ]);
        expect(plan.summary).to.deep.equal({ created: 0, updated: 1, deleted: 0, usersGaining: 3, usersLosing: 0 });
        expect((await ok<PolicyResult>(server, admin, READ_POLICY, { n: p })).policy!.version).to.equal(1);
      });

      it("reports who loses when a policy is removed from a role, and nobody for a user who keeps it through another role", async () => {
        const p = unique("logs");
        const r = unique("logs-role");
        const other = unique("logs-too");
        await addRole(server, jobPolicy(p, "[logs]"), role(r, [p]));
        await addRole(server, jobPolicy(unique("unused"), "[read]"), role(other, [p]));
        const loser = await addUser(server, [r]);
        const keeper = await addUser(server, [r, other]);
        const empty = unique("empty");
        const plan = await apply(`kind: policy\nname: ${empty}\nrules: []\n---\n${role(r, [empty])}`);
        expect(plan.changes.map((c) => [c.kind, c.action])).to.deep.equal([
          ["policy", "create"],
          ["role", "update"],
        ]);
        expect(plan.changes[0].diff).to.contain("--- /dev/null");
        const ids = plan.accessChanges.map((a) => a.user.id);
        expect(ids).to.include(loser.user.id);
        expect(ids).to.not.include(keeper.user.id);
        const lost = plan.accessChanges.find((a) => a.user.id === loser.user.id)!.changes;
        expect(lost).to.deep.equal([
          {
            change: "LOST",
            permission: {
              effect: "ALLOW",
              resourceType: "job",
              namespace: "prod/**",
              name: "*",
              capabilities: ["logs"],
              scope: "",
              via: { policy: p, ruleIndex: 0, role: r },
            },
          },
        ]);
      });

      it("expands SSO mappings to the users they reach today", async () => {
        const r = unique("sso-role");
        const p = unique("sso-pol");
        await addRole(server, jobPolicy(p, "[read]"), role(r, [p]));
        const provider = unique("idp").toLowerCase();
        // The provider's users are those holding its SSO grants: one logs in while a mapping gives everyone viewer.
        await ok<{ setSsoMappings: Array<{ group: string }> }>(
          server,
          admin,
          `mutation($m: [SsoMappingInput!]!, $p: String) { setSsoMappings(mappings: $m, provider: $p) { group } }`,
          { m: [{ provider, group: "*", role: "viewer" }], p: provider },
        );
        const login = await server.app.services.ssoLogin.login(
          anIdentity({ provider, groups: ["eng"] }),
          loginRequest(),
        );
        const plan = await apply(
          `kind: ssoMappings\nprovider: ${provider}\nmappings:\n  - { group: "*", role: viewer }\n  - { group: eng, role: ${r}, scope: prod }\n`,
        );
        expect(plan.changes.map((c) => [c.kind, c.name, c.action])).to.deep.equal([
          ["ssoMappings", provider, "update"],
        ]);
        const mine = plan.accessChanges.find((a) => a.user.id === login.userId);
        expect(
          mine!.changes.map((c) => [
            c.change,
            c.permission.resourceType,
            c.permission.capabilities,
            c.permission.scope,
          ]),
        ).to.deep.equal([["GAINED", "job", ["read"], "prod"]]);
      });
    });

    describe("apply", () => {
      it("applies in one write, one change record per object and one for the bundle with its SHA-256; a second apply changes nothing", async () => {
        const p = unique("applied");
        const r = unique("applied-role");
        const bundle = `# team bundle\n${jobPolicy(p, "[read]")}---\n${role(r, [p])}`;
        const since = await auditHead(server);
        const plan = await apply(bundle, { dryRun: false });
        expect(plan.applied).to.equal(true);
        expect(plan.summary).to.deep.include({ created: 2, updated: 0, deleted: 0 });
        expect((await ok<RoleResult>(server, admin, READ_ROLE, { n: r })).role).to.deep.equal({
          name: r,
          policies: [{ name: p }],
        });
        const changes = await changesSince(server, since);
        expect(changes.map((e) => e.operation)).to.deep.equal([
          "Mutation.createPolicy",
          "Mutation.createRole",
          "Mutation.applyBundle",
        ]);
        const { createHash } = await import("node:crypto");
        expect((changes[2].metadata as { change: unknown }).change).to.deep.include({
          kind: "bundle",
          sha256: createHash("sha256").update(bundle).digest("hex"),
        });
        const guard = (await server.app.storage.audit.range(since + 1, await auditHead(server))).filter(
          (e) => e.operation === "Mutation.applyBundle" && e.action !== "change",
        );
        expect(guard.map((e) => [e.resourceType, e.action, e.resourceName, e.decision])).to.deep.equal([
          ["policy", "create", p, "ALLOW"],
          ["role", "create", r, "ALLOW"],
        ]);

        const again = await apply(bundle, { dryRun: false });
        expect(again).to.deep.include({ applied: false, changes: [], accessChanges: [] });
      });

      it("refuses a bad document anywhere with its document, path, line and column, and changes nothing", async () => {
        const p = unique("fine");
        const bad = unique("bad");
        const bundle = `${jobPolicy(p, "[read]")}---\nkind: policy\nname: ${bad}\nrules:\n  - resource: job\n    capabilities: [read, sumbit]\n`;
        const head = await auditHead(server);
        const { extensions, message } = await refused(server, admin, APPLY, { d: bundle, dry: false });
        expect(extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "documents[1].rules[0].capabilities[1]" });
        expect(issuesOf(extensions)[0]).to.deep.include({ line: 12, column: 26 });
        expect(message).to.contain("did you mean 'submit'?");
        expect((await ok<PolicyResult>(server, admin, READ_POLICY, { n: p })).policy).to.equal(null);
        expect(await changesSince(server, head)).to.deep.equal([]);
      });

      it("refuses a role referring to a policy neither stored nor in the bundle, at its path", async () => {
        const { extensions } = await refused(server, admin, APPLY, {
          d: `kind: resourceType\nname: ${unique("t").replace(/-/g, "_")}\ncapabilities: { read: READ }\n---\n${role(unique("r"), ["no-such-policy"])}`,
        });
        expect(extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "documents[1].policies[0]" });
      });

      it("refuses a stale expectedVersion with CONFLICT, so that of two applies planned on one version only the first goes in", async () => {
        const plan = await apply(jobPolicy(unique("race"), "[read]"));
        const [first, second] = await Promise.all([
          gql<ApplyResult>(server.url, APPLY, {
            token: admin,
            variables: { d: jobPolicy(unique("race-a"), "[read]"), dry: false, v: plan.version },
          }),
          gql<ApplyResult>(server.url, APPLY, {
            token: admin,
            variables: { d: jobPolicy(unique("race-b"), "[read]"), dry: false, v: plan.version },
          }),
        ]);
        const codes = [first, second].map((r) => r.errors?.[0]?.extensions?.code ?? "OK").sort();
        expect(codes).to.deep.equal(["CONFLICT", "OK"]);
      });

      it("lists an actor's escalations in a dry run, and refuses the apply", async () => {
        const author = await addUser(server, ["limited-bundler"]);
        const p = unique("wide");
        const plan = await apply(jobPolicy(p, `["*"]`, "**"), { token: author.token });
        expect(plan.escalations.map((e) => [e.kind, e.name, e.capability])).to.deep.equal([
          ["policy", p, "job:delete"],
        ]);
        const { extensions } = await refused(server, author.token, APPLY, {
          d: jobPolicy(p, `["*"]`, "**"),
          dry: false,
        });
        expect(extensions.code).to.equal("ESCALATION_DENIED");
        expect((await ok<PolicyResult>(server, admin, READ_POLICY, { n: p })).policy).to.equal(null);
        const fine = await apply(jobPolicy(unique("narrow"), "[read]"), { token: author.token, dryRun: false });
        expect(fine.applied).to.equal(true);
      });

      it("refuses a caller without the capability for an object, after auditing the refusal", async () => {
        const reader = await addUser(server, ["viewer"]);
        const plan = await apply(jobPolicy(unique("viewer-sees"), "[read]"), { token: reader.token });
        expect(plan.escalations.map((e) => e.capability)).to.include("policy:create");
        const { extensions } = await refused(server, reader.token, APPLY, {
          d: jobPolicy(unique("viewer-writes"), "[read]"),
          dry: false,
        });
        expect(extensions).to.deep.include({ code: "FORBIDDEN", capability: "policy:create" });
      });
    });

    before(async () => {
      await addRole(
        server,
        `kind: policy\nname: limited-bundler\nrules:\n  - resource: policy\n    capabilities: [list, read, create, update]\n  - resource: job\n    namespace: "prod/**"\n    capabilities: [read, list]\n  - resource: job\n    capabilities: [read]\n`,
        "kind: role\nname: limited-bundler\npolicies: [limited-bundler]\n",
      );
    });
  });

  describe(`applyBundle prune on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    serverForSuite(kind, (s) => (server = s));

    it("deletes exactly the policies and roles the bundle does not mention, never the built-in ones", async () => {
      const admin = server.adminToken;
      await addRole(server, jobPolicy("keep-p", "[read]"), role("keep-r", ["keep-p"]));
      await addRole(server, jobPolicy("gone-p", "[read]"), role("gone-r", ["gone-p"]));
      await addRole(server, jobPolicy("gone-base-p", "[read]"), role("gone-base", ["gone-base-p"]));
      await addRole(
        server,
        jobPolicy("gone-child-p", "[read]"),
        "kind: role\nname: gone-child\npolicies: [gone-child-p]\ninherits: [gone-base]\n",
      );
      const bundle = `kind: bundle\nprune: [policy, role]\n---\n${jobPolicy("keep-p", "[read]")}---\n${role("keep-r", ["keep-p"])}`;
      const plan = (await ok<ApplyResult>(server, admin, APPLY, { d: bundle, dry: true })).applyBundle;
      expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).to.deep.equal([
        "delete role gone-child",
        "delete role gone-base",
        "delete role gone-r",
        "delete policy gone-base-p",
        "delete policy gone-child-p",
        "delete policy gone-p",
      ]);
      const applied = (await ok<ApplyResult>(server, admin, APPLY, { d: bundle, dry: false })).applyBundle;
      expect(applied.summary.deleted).to.equal(6);
      const left = await ok<{ roles: Listed[]; policies: Listed[] }>(
        server,
        admin,
        `{ roles { name builtIn } policies { name builtIn } }`,
      );
      expect(left.roles.filter((r) => !r.builtIn).map((r) => r.name)).to.deep.equal(["keep-r"]);
      expect(left.policies.filter((r) => !r.builtIn).map((r) => r.name)).to.deep.equal(["keep-p"]);
      expect(left.roles.filter((r) => r.builtIn).length).to.be.greaterThan(0);
    });

    it("prunes only when asked: the prune argument adds to what the bundle declares", async () => {
      const admin = server.adminToken;
      await addRole(server, jobPolicy("other-p", "[read]"), role("other-r", ["other-p"]));
      const bundle = `${jobPolicy("keep-p", "[read]")}---\n${role("keep-r", ["keep-p"])}`;
      expect((await ok<ApplyResult>(server, admin, APPLY, { d: bundle, dry: true })).applyBundle.changes).to.deep.equal(
        [],
      );
      const plan = (await ok<ApplyResult>(server, admin, APPLY, { d: bundle, dry: true, p: ["role"] })).applyBundle;
      expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).to.deep.equal(["delete role other-r"]);
    });
  });

  describe(`applyBundle prune and access requests on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    serverForSuite(kind, (s) => (server = s));

    it("expires the pending requests for a role the bundle prunes, in the same write, as deleteRole does", async () => {
      const admin = server.adminToken;
      await addRole(server, jobPolicy("target-p", "[read]"), role("temp-target", ["target-p"]));
      await ok<{ createRole: { name: string } }>(
        server,
        admin,
        `mutation($d: String!) { createRole(document: $d) { name } }`,
        {
          d: "kind: role\nname: temp-requester\npolicies: []\nrequest: { roles: [temp-target] }\n",
        },
      );
      const alice = await addUser(server, ["temp-requester"]);
      const pending = await requestOk(server, alice.token, { roles: ["temp-target"] });
      expect(pending.status).to.equal("PENDING");
      const since = await auditHead(server);
      // temp-requester stays, without its request setting; temp-target is not mentioned and goes.
      const bundle = "kind: role\nname: temp-requester\npolicies: []\n";
      const applied = (await ok<ApplyResult>(server, admin, APPLY, { d: bundle, dry: false, p: ["role"] })).applyBundle;
      expect(applied.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).to.deep.equal([
        "update role temp-requester",
        "delete role temp-target",
      ]);
      expect((await server.app.storage.accessRequests.get(pending.id))!.status).to.equal("EXPIRED");
      const events = await server.app.storage.audit.range(since + 1, await auditHead(server));
      const expired = events.filter((e) => e.operation === "accessRequest.expired");
      expect(expired.map((e) => e.metadata)).to.have.length(1);
      expect(expired[0].metadata).to.deep.include({ requestId: pending.id, roles: ["temp-target"] });
      // After the bundle's own record, in the same transaction.
      const bundleRecord = events.find((e) => e.operation === "Mutation.applyBundle" && e.action === "change")!;
      expect(expired[0].sequence).to.be.greaterThan(bundleRecord.sequence);
    });
  });
}
