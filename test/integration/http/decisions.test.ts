import { expect } from "chai";
import { GENESIS_HASH } from "../../../src/domain/audit/audit-event";
import { eventHash } from "../../../src/domain/audit/audit-hash";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser, revokeToken, setStatus, type TestUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";

const CAN = `query($subject: SubjectInput, $action: String!, $resource: ResourceInput!, $context: CheckContextInput) {
  can(subject: $subject, action: $action, resource: $resource, context: $context) { allowed reason decidedBy { policy ruleIndex role grantId } explanation }
}`;

const job = (namespace: string, name = "web") => ({ type: "job", namespace, name });

/** A CheckResult as CAN selects it. */
type CheckResult = {
  allowed: boolean;
  reason: string;
  decidedBy: { policy: string; ruleIndex: number; role: string | null; grantId: string | null } | null;
  explanation: string[];
};

for (const kind of databaseKinds()) {
  describe(`decisions over HTTP on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let deployer: TestUser;
    let viewer: TestUser;
    let ops: TestUser;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      deployer = await addUser(server, ["deployer"]);
      viewer = await addUser(server, ["viewer"]);
      ops = await addUser(server, ["ops"]);
      await addRole(
        server,
        'kind: policy\nname: db-from-office\nrules:\n  - resource: db\n    namespace: prod\n    capabilities: [query]\n    when: { sourceCidrs: [10.20.0.0/16, "2001:db8::/32"] }\n',
        "kind: role\nname: office-dba\npolicies: [db-from-office]\n",
      );
      await addRole(
        server,
        "kind: policy\nname: nothing-here\nrules: []\n",
        "kind: role\nname: root\nsuperuser: true\npolicies: [nothing-here]\n",
      );
    });

    async function can(token: string, variables: Record<string, unknown>) {
      const res = await gql<{ can: CheckResult }>(server.url, CAN, { token, variables });
      expect(res.errors, JSON.stringify(res.errors)).to.equal(undefined);
      return res.data!.can;
    }

    it("allows with ALLOWED and names the rule, role and grant that admitted", async () => {
      const result = await can(deployer.token, { action: "submit", resource: job("prod/payments") });
      expect(result.allowed).to.equal(true);
      expect(result.reason).to.equal("ALLOWED");
      expect(result.decidedBy).to.deep.include({ policy: "deployer-deploy", ruleIndex: 0, role: "deployer" });
      expect(result.decidedBy?.grantId).to.be.a("string");
      expect(result.explanation.join(" ")).to.contain("deployer-deploy");
    });

    it("denies with EXPLICIT_DENY when a deny rule matches, naming it", async () => {
      const result = await can(viewer.token, {
        action: "read",
        resource: { type: "secret", namespace: "prod", name: "db-password" },
      });
      expect(result).to.deep.include({ allowed: false, reason: "EXPLICIT_DENY" });
      expect(result.decidedBy).to.deep.include({ policy: "viewer-read", ruleIndex: 1, role: "viewer" });
    });

    it("denies with NO_MATCHING_RULE by default", async () => {
      expect(await can(viewer.token, { action: "submit", resource: job("prod") })).to.deep.include({
        allowed: false,
        reason: "NO_MATCHING_RULE",
        decidedBy: null,
      });
    });

    it("answers MFA_REQUIRED without MFA and ALLOWED when the gateway asserts it", async () => {
      expect(await can(ops.token, { action: "exec", resource: job("prod") })).to.deep.include({
        allowed: false,
        reason: "MFA_REQUIRED",
      });
      const asserted = await can(server.adminToken, {
        subject: { userId: ops.user.id },
        action: "exec",
        resource: job("prod"),
        context: { mfa: true },
      });
      expect(asserted).to.deep.include({ allowed: true, reason: "ALLOWED" });
    });

    it("answers SOURCE_NOT_ALLOWED outside a rule's networks, and allows inside them, IPv4-mapped included", async () => {
      const dba = await addUser(server, ["office-dba"]);
      const ask = (sourceIp?: string) =>
        can(server.adminToken, {
          subject: { email: dba.user.email },
          action: "query",
          resource: { type: "db", namespace: "prod", name: "orders" },
          ...(sourceIp ? { context: { sourceIp } } : {}),
        });
      expect(await ask("192.168.1.1")).to.deep.include({ allowed: false, reason: "SOURCE_NOT_ALLOWED" });
      expect(await ask()).to.deep.include({ allowed: false, reason: "SOURCE_NOT_ALLOWED" });
      expect(await ask("10.20.3.4")).to.deep.include({ allowed: true, reason: "ALLOWED" });
      expect(await ask("::ffff:10.20.3.4")).to.deep.include({ allowed: true, reason: "ALLOWED" });
      expect(await ask("2001:db8::7")).to.deep.include({ allowed: true, reason: "ALLOWED" });
    });

    it("answers SUPERUSER for a superuser role, whatever the resource", async () => {
      const root = await addUser(server, ["root", "viewer"]);
      expect(
        await can(root.token, { action: "read", resource: { type: "secret", namespace: "prod", name: "x" } }),
      ).to.deep.include({ allowed: true, reason: "SUPERUSER" });
    });

    it("answers USER_LOCKED about a locked user", async () => {
      const locked = await addUser(server, ["deployer"]);
      await setStatus(server, locked.user, "LOCKED");
      expect(
        await can(server.adminToken, { subject: { userId: locked.user.id }, action: "submit", resource: job("prod") }),
      ).to.deep.include({ allowed: false, reason: "USER_LOCKED" });
    });

    it("answers TOKEN_SCOPE when the owner may but the token's roles may not", async () => {
      const narrow = await addUser(server, ["deployer", "viewer"], { tokenRoles: ["viewer"] });
      expect(
        await can(server.adminToken, { subject: { tokenId: narrow.tokenId }, action: "submit", resource: job("prod") }),
      ).to.deep.include({ allowed: false, reason: "TOKEN_SCOPE" });
      expect(
        await can(server.adminToken, { subject: { userId: narrow.user.id }, action: "submit", resource: job("prod") }),
      ).to.deep.include({ allowed: true, reason: "ALLOWED" });
    });

    it("answers UNAUTHENTICATED, as a result, about a revoked or unknown token", async () => {
      const gone = await addUser(server, ["deployer"]);
      await revokeToken(server, gone.tokenId);
      expect(
        await can(server.adminToken, { subject: { tokenId: gone.tokenId }, action: "read", resource: job("prod") }),
      ).to.deep.include({ allowed: false, reason: "UNAUTHENTICATED" });
      expect(
        await can(server.adminToken, { subject: { tokenId: "no-such-token" }, action: "read", resource: job("prod") }),
      ).to.deep.include({ allowed: false, reason: "UNAUTHENTICATED" });
    });

    it("answers UNAUTHENTICATED about a token used from outside its bound networks, or from an unknown address", async () => {
      const bound = await addUser(server, ["deployer"]);
      const created = await gql<{ createToken: { token: { id: string } } }>(
        server.url,
        `mutation($u: ID!) { createToken(input: { name: "bound", userId: $u, boundCidrs: ["10.0.0.0/8"] }) { token { id } } }`,
        { token: server.adminToken, variables: { u: bound.user.id } },
      );
      expect(created.errors).to.equal(undefined);
      const tokenId = created.data!.createToken.token.id;
      const ask = (context?: Record<string, unknown>) =>
        can(server.adminToken, {
          subject: { tokenId },
          action: "read",
          resource: job("prod"),
          ...(context ? { context } : {}),
        });
      expect(await ask({ sourceIp: "10.1.2.3" })).to.deep.include({ allowed: true, reason: "ALLOWED" });
      expect(await ask({ sourceIp: "192.168.0.1" })).to.deep.include({ allowed: false, reason: "UNAUTHENTICATED" });
      expect(await ask()).to.deep.include({ allowed: false, reason: "UNAUTHENTICATED" });
    });

    it("refuses a question about someone else without permission:check, and answers it about oneself", async () => {
      const res = await gql(server.url, CAN, {
        token: viewer.token,
        variables: { subject: { userId: deployer.user.id }, action: "read", resource: job("prod") },
      });
      expect(res.errors?.[0]?.extensions).to.deep.include({ code: "FORBIDDEN", capability: "permission:check" });
      expect(
        await can(viewer.token, { subject: { userId: viewer.user.id }, action: "read", resource: job("prod") }),
      ).to.deep.include({ allowed: true });
    });

    it("answers canMany in input order and audits every check with its subject", async () => {
      const before = (await server.app.storage.audit.head()).sequence;
      const res = await gql(
        server.url,
        `query($s: SubjectInput, $checks: [CheckInput!]!) { canMany(subject: $s, checks: $checks) { allowed reason } }`,
        {
          token: server.adminToken,
          variables: {
            s: { userId: deployer.user.id },
            checks: [
              { action: "submit", resource: job("prod") },
              { action: "delete", resource: job("prod") },
              { action: "read", resource: { type: "secret", namespace: "dev" } },
              {
                action: "deploy",
                resource: { type: "app", namespace: "dev", labels: [{ key: "team", value: "core" }] },
              },
              { action: "submit", resource: job("prod", "api") },
            ],
          },
        },
      );
      expect(res.errors).to.equal(undefined);
      expect(res.data!.canMany).to.deep.equal([
        { allowed: true, reason: "ALLOWED" },
        { allowed: false, reason: "NO_MATCHING_RULE" },
        { allowed: false, reason: "EXPLICIT_DENY" },
        { allowed: true, reason: "ALLOWED" },
        { allowed: true, reason: "ALLOWED" },
      ]);
      const head = await server.app.storage.audit.head();
      const events = (await server.app.storage.audit.range(before + 1, head.sequence)).filter(
        (e) => e.operation === "check",
      );
      expect(events.map((e) => [e.action, e.resourceType, e.decision, e.subjectId])).to.have.deep.members([
        ["submit", "job", "ALLOW", deployer.user.id],
        ["delete", "job", "DENY", deployer.user.id],
        ["read", "secret", "DENY", deployer.user.id],
        ["deploy", "app", "ALLOW", deployer.user.id],
        ["submit", "job", "ALLOW", deployer.user.id],
      ]);
      // Each event's metadata names what decided it, the labels asked about and the facts decided with.
      const metadata = (action: string, name: string) =>
        events.find((e) => e.action === action && e.resourceName === name)!.metadata as Record<string, unknown>;
      const facts = { mfa: false, sourceIp: null };
      for (const name of ["web", "api"]) {
        expect(metadata("submit", name).decidedBy).to.deep.include({
          policy: "deployer-deploy",
          ruleIndex: 0,
          role: "deployer",
        });
        expect(metadata("submit", name).context).to.deep.equal(facts);
      }
      expect(metadata("delete", "web")).to.not.have.property("decidedBy");
      expect(metadata("delete", "web")).to.deep.include({ context: facts }).and.not.have.property("labels");
      expect(metadata("read", "")).to.have.property("decidedBy").that.is.an("object");
      expect(metadata("deploy", "")).to.deep.include({ labels: { team: "core" }, context: facts });
      expect(metadata("submit", "api")).to.not.have.property("labels");
    });

    it("lists effective permissions with provenance, filtered by type", async () => {
      const res = await gql(
        server.url,
        `{ effectivePermissions(resourceType: "secret") { effect resourceType capabilities via { policy ruleIndex role } scope } }`,
        { token: deployer.token },
      );
      expect(res.errors).to.equal(undefined);
      const perms = res.data!.effectivePermissions as Array<Record<string, unknown>>;
      // The secret deny comes from viewer-read through viewer, which deployer inherits: via names the granted role.
      expect(perms).to.deep.include({
        effect: "DENY",
        resourceType: "secret",
        capabilities: ["delete", "list", "read", "write"],
        via: { policy: "viewer-read", ruleIndex: 1, role: "deployer" },
        scope: "",
      });
      expect(perms.every((p) => p.resourceType === "secret" || p.resourceType === "*")).to.equal(true);
    });

    it("answers whoCan with exactly the users the engine would allow", async () => {
      const res = await gql(
        server.url,
        `{ whoCan(action: "submit", resource: { type: "job", namespace: "prod" }) { email } }`,
        { token: server.adminToken },
      );
      expect(res.errors).to.equal(undefined);
      const emails = (res.data!.whoCan as Array<{ email: string }>).map((u) => u.email);
      expect(emails).to.include.members([deployer.user.email, "admin@portcullis.local"]);
      expect(emails).to.not.include(viewer.user.email);
      expect(emails).to.not.include(ops.user.email);
    });

    it("refuses bad input naming the field, and an unknown subject with NOT_FOUND", async () => {
      const bad = async (variables: Record<string, unknown>) =>
        (await gql(server.url, CAN, { token: server.adminToken, variables })).errors?.[0]?.extensions;
      expect(await bad({ action: "read", resource: job("prod"), context: { sourceIp: "not-an-ip" } })).to.deep.include({
        code: "BAD_USER_INPUT",
        field: "context.sourceIp",
      });
      expect(
        await bad({
          subject: { userId: viewer.user.id, email: viewer.user.email },
          action: "read",
          resource: job("prod"),
        }),
      ).to.deep.include({ code: "BAD_USER_INPUT", field: "subject" });
      expect(
        await bad({
          action: "read",
          resource: {
            type: "job",
            labels: [
              { key: "a", value: "1" },
              { key: "a", value: "2" },
            ],
          },
        }),
      ).to.deep.include({ code: "BAD_USER_INPUT", field: "resource.labels[1].key" });
      expect(
        await bad({ subject: { email: "nobody@example.com" }, action: "read", resource: job("prod") }),
      ).to.deep.include({ code: "NOT_FOUND", field: "subject.email" });
    });

    it("records exactly one check event per call for 500 concurrent calls, with matching decisions and an intact chain", async () => {
      const before = (await server.app.storage.audit.head()).sequence;
      const asks = Array.from({ length: 500 }, (_, i) => ({
        action: i % 2 ? "submit" : "delete",
        resource: job("prod", `job-${i}`),
      }));
      const answers = await Promise.all(asks.map((v) => can(deployer.token, v)));
      answers.forEach((a, i) => expect(a.allowed, `call ${i}`).to.equal(i % 2 === 1));
      const head = await server.app.storage.audit.head();
      const events = await server.app.storage.audit.range(before + 1, head.sequence);
      const checks = events.filter((e) => e.operation === "check");
      expect(checks).to.have.length(500);
      for (const e of checks) {
        const i = Number(e.resourceName!.slice(4));
        expect(e.decision, e.resourceName!).to.equal(i % 2 ? "ALLOW" : "DENY");
      }
      const all = await server.app.storage.audit.range(1, head.sequence);
      let prev = GENESIS_HASH;
      all.forEach((e, i) => {
        expect(e.sequence).to.equal(i + 1);
        expect(e.prevHash).to.equal(prev);
        expect(eventHash(e.prevHash, e)).to.equal(e.hash);
        prev = e.hash;
      });
    });
  });
}
