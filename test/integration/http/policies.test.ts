import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import {
  auditHead,
  changesSince,
  LIMITED_AUTHOR_POLICY,
  LIMITED_AUTHOR_ROLE,
  ok,
  refused,
} from "../../support/access-model";
import { addRole, addUser } from "../../support/principals";
import { serverForSuite, type TestServer, issuesOf } from "../../support/server";

const POLICY_FIELDS =
  "id name description version builtIn document rules { effect resourceType namespace name capabilities level requireMfa sourceCidrs } roles { name }";
const CREATE = `mutation($d: String!) { createPolicy(document: $d) { ${POLICY_FIELDS} } }`;
const UPDATE = `mutation($n: String!, $d: String!) { updatePolicy(name: $n, document: $d) { ${POLICY_FIELDS} } }`;
const DELETE = `mutation($n: String!) { deletePolicy(name: $n) }`;
const READ = `query($n: String!) { policy(name: $n) { version document } }`;
const CAN = `query($s: SubjectInput, $a: String!, $r: ResourceInput!) { can(subject: $s, action: $a, resource: $r) { allowed reason } }`;

const unique = (base: string) => `${base}-${randomUUID().slice(0, 8)}`;
const jobPolicy = (name: string, capabilities = "[read, list]", namespace = "prod/**") =>
  `kind: policy\nname: ${name}\ndescription: Jobs under prod\nrules:\n  - resource: job\n    namespace: "${namespace}"\n    capabilities: ${capabilities}\n`;

/** A Policy as POLICY_FIELDS selects it (the rules with the fields the tests compare). */
type PolicyView = {
  id: string;
  name: string;
  version: number;
  document: string;
  rules: Array<{ capabilities: string[]; [field: string]: unknown }>;
  roles: Array<{ name: string }>;
  [field: string]: unknown;
};

for (const kind of databaseKinds()) {
  describe(`policies over HTTP on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: string;

    serverForSuite(kind, (s) => (server = s));
    before(() => {
      admin = server.adminToken;
    });

    const stored = async (name: string) =>
      (await ok(server, admin, READ, { n: name })).policy as { version: number; document: string } | null;

    describe("createPolicy", () => {
      it("creates a policy at version 1 and returns its rules, expanded, and the document as submitted", async () => {
        const name = unique("deploy-prod");
        const document = `# submitted by hand\nkind: policy\nname: ${name}\nrules:\n  - resource: alloc\n    namespace: prod\n    level: READ\n  - resource: secret\n    capabilities: []\n`;
        const created = (await ok<{ createPolicy: PolicyView }>(server, admin, CREATE, { d: document })).createPolicy;
        expect(created).to.deep.include({ name, description: null, version: 1, builtIn: false, document, roles: [] });
        expect(created.rules).to.deep.equal([
          {
            effect: "ALLOW",
            resourceType: "alloc",
            namespace: "prod",
            name: "*",
            capabilities: ["list", "logs", "read"],
            level: "READ",
            requireMfa: false,
            sourceCidrs: [],
          },
          {
            effect: "DENY",
            resourceType: "secret",
            namespace: "**",
            name: "*",
            capabilities: ["*"],
            level: null,
            requireMfa: false,
            sourceCidrs: [],
          },
        ]);
        expect(await stored(name.toUpperCase())).to.deep.equal({ version: 1, document });
      });

      it("writes a change record holding the new document and version", async () => {
        const name = unique("recorded");
        const since = await auditHead(server);
        await ok<{ createPolicy: PolicyView }>(server, admin, CREATE, { d: jobPolicy(name) });
        const [event, ...rest] = await changesSince(server, since);
        expect(rest).to.have.length(0);
        expect(event).to.deep.include({
          operation: "Mutation.createPolicy",
          resourceType: "policy",
          resourceNamespace: "system",
          resourceName: name,
          decision: "ALLOW",
        });
        expect(event.metadata).to.deep.equal({
          change: {
            kind: "policy",
            name,
            oldVersion: null,
            newVersion: 1,
            oldDocument: null,
            newDocument: jobPolicy(name),
          },
        });
      });

      it("refuses an unknown key such as `namespce` at its path, suggesting the right one, and stores nothing", async () => {
        const name = unique("typo");
        const { extensions, message } = await refused(server, admin, CREATE, {
          d: `kind: policy\nname: ${name}\nrules:\n  - resource: job\n    namespce: prod\n    capabilities: [read]\n`,
        });
        expect(extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "rules[0].namespce" });
        expect(message).to.contain("did you mean 'namespace'?");
        expect(await stored(name)).to.equal(null);
      });

      it("refuses an unknown capability with a did-you-mean, listing every problem in issuesOf(extensions)", async () => {
        const name = unique("misspelt");
        const { extensions, message } = await refused(server, admin, CREATE, {
          d: `kind: policy\nname: ${name}\nrules:\n  - resource: job\n    capabilities: [read, sumbit]\n  - resource: nod\n    capabilities: [drain]\n`,
        });
        expect(extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "rules[0].capabilities[1]" });
        expect(issuesOf(extensions)).to.have.length(2);
        expect(issuesOf(extensions)[0]).to.deep.include({ path: "rules[0].capabilities[1]" });
        expect(issuesOf(extensions)[0].message).to.contain("did you mean 'submit'?");
        expect(issuesOf(extensions)[1]).to.deep.include({ path: "rules[1].resource" });
        expect(message).to.contain("rules[0].capabilities[1]").and.to.contain("rules[1].resource");
        expect(await stored(name)).to.equal(null);
      });

      it("refuses a rule with both capabilities and level at rules[i].level", async () => {
        const name = unique("both");
        const { extensions } = await refused(server, admin, CREATE, {
          d: `kind: policy\nname: ${name}\nrules:\n  - resource: job\n    capabilities: [read]\n  - resource: job\n    capabilities: [read]\n    level: READ\n`,
        });
        expect(extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "rules[1].level" });
        expect(await stored(name)).to.equal(null);
      });

      it("refuses a YAML syntax error at `document` with its line and column", async () => {
        const before = (await server.app.storage.policies.all()).length;
        const { extensions, message } = await refused(server, admin, CREATE, {
          d: "kind: policy\nname: broken\nrules: [\n  - resource: job\n",
        });
        expect(extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "document" });
        expect(message).to.match(/line \d+, column \d+/);
        expect((await server.app.storage.policies.all()).length).to.equal(before);
      });

      it("refuses a name already taken, ignoring case, with CONFLICT and leaves the first policy as it was", async () => {
        const name = unique("taken");
        await ok<{ createPolicy: PolicyView }>(server, admin, CREATE, { d: jobPolicy(name) });
        const { extensions } = await refused(server, admin, CREATE, { d: jobPolicy(name.toUpperCase(), "[submit]") });
        expect(extensions.code).to.equal("CONFLICT");
        expect(await stored(name)).to.deep.equal({ version: 1, document: jobPolicy(name) });
      });
    });

    describe("updatePolicy", () => {
      it("bumps the version, keeps the old version in the history and the old document in the change record", async () => {
        const name = unique("evolving");
        await ok<{ createPolicy: PolicyView }>(server, admin, CREATE, { d: jobPolicy(name) });
        const since = await auditHead(server);
        const updated = (
          await ok<{ updatePolicy: PolicyView }>(server, admin, UPDATE, {
            n: name,
            d: jobPolicy(name, "[read, list, logs]"),
          })
        ).updatePolicy;
        expect(updated).to.deep.include({ name, version: 2, document: jobPolicy(name, "[read, list, logs]") });
        expect(updated.rules[0].capabilities).to.deep.equal(["read", "list", "logs"]);
        expect((await server.app.storage.policies.versions(name)).map((v) => [v.version, v.document])).to.deep.equal([
          [1, jobPolicy(name)],
          [2, jobPolicy(name, "[read, list, logs]")],
        ]);
        const events = await changesSince(server, since, "Mutation.updatePolicy");
        expect(events).to.have.length(1);
        expect(events[0].metadata!.change).to.deep.equal({
          kind: "policy",
          name,
          oldVersion: 1,
          newVersion: 2,
          oldDocument: jobPolicy(name),
          newDocument: jobPolicy(name, "[read, list, logs]"),
        });
      });

      it("treats the returned document, or the same policy written differently, as a no-op: no version bump, no change record", async () => {
        const name = unique("steady");
        const created = (await ok<{ createPolicy: PolicyView }>(server, admin, CREATE, { d: jobPolicy(name) }))
          .createPolicy;
        const since = await auditHead(server);
        const same = (await ok<{ updatePolicy: PolicyView }>(server, admin, UPDATE, { n: name, d: created.document }))
          .updatePolicy;
        expect(same).to.deep.include({ version: 1, document: created.document });
        const reworded = `kind: policy\nname: ${name}\n# same rules, other layout\ndescription: "Jobs under prod"\nrules: [{ resource: job, namespace: "prod/**", capabilities: [read, list] }]\n`;
        expect(
          (await ok<{ updatePolicy: PolicyView }>(server, admin, UPDATE, { n: name, d: reworded })).updatePolicy,
        ).to.deep.include({
          version: 1,
          document: created.document,
        });
        expect(await changesSince(server, since)).to.deep.equal([]);
        expect(await server.app.storage.policies.versions(name)).to.have.length(1);
      });

      it("refuses a document naming another policy (no renames) and a missing policy with NOT_FOUND, changing nothing", async () => {
        const name = unique("fixed");
        await ok<{ createPolicy: PolicyView }>(server, admin, CREATE, { d: jobPolicy(name) });
        const renamed = await refused(server, admin, UPDATE, { n: name, d: jobPolicy(unique("other")) });
        expect(renamed.extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "document" });
        const missing = await refused(server, admin, UPDATE, { n: "no-such-policy", d: jobPolicy("no-such-policy") });
        expect(missing.extensions.code).to.equal("NOT_FOUND");
        const invalid = await refused(server, admin, UPDATE, { n: name, d: jobPolicy(name, "[read, sumbit]") });
        expect(invalid.extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "rules[0].capabilities[1]" });
        expect(await stored(name)).to.deep.equal({ version: 1, document: jobPolicy(name) });
        expect(await stored("no-such-policy")).to.equal(null);
      });

      it("is visible to `can` on the very next request", async () => {
        const name = unique("live");
        const role = unique("live-role");
        await ok<{ createPolicy: PolicyView }>(server, admin, CREATE, { d: jobPolicy(name) });
        await ok(server, admin, `mutation($d: String!) { createRole(document: $d) { name } }`, {
          d: `kind: role\nname: ${role}\npolicies: [${name}]\n`,
        });
        const holder = await addUser(server, [role]);
        const ask = {
          s: { userId: holder.user.id },
          a: "submit",
          r: { type: "job", namespace: "prod/payments", name: "web" },
        };
        expect((await ok(server, admin, CAN, ask)).can).to.deep.equal({ allowed: false, reason: "NO_MATCHING_RULE" });
        await ok<{ updatePolicy: PolicyView }>(server, admin, UPDATE, {
          n: name,
          d: jobPolicy(name, "[read, list, submit]"),
        });
        expect((await ok(server, admin, CAN, ask)).can).to.deep.equal({ allowed: true, reason: "ALLOWED" });
      });

      it("lets built-in policies be updated, as data", async () => {
        const before = (await server.app.storage.policies.get("cicd-deploy"))!;
        const document = before.document.replace(
          "capabilities: [list, read, submit]",
          "capabilities: [list, read, submit, logs]",
        );
        expect(document).to.not.equal(before.document);
        const updated = (
          await ok<{ updatePolicy: PolicyView }>(server, admin, UPDATE, { n: "cicd-deploy", d: document })
        ).updatePolicy;
        expect(updated).to.deep.include({ builtIn: true, version: before.version + 1, document });
      });
    });

    describe("deletePolicy", () => {
      it("deletes an unused policy, keeps its last document in the change record, and answers NOT_FOUND after", async () => {
        const name = unique("doomed");
        await ok<{ createPolicy: PolicyView }>(server, admin, CREATE, { d: jobPolicy(name) });
        const since = await auditHead(server);
        expect((await ok(server, admin, DELETE, { n: name })).deletePolicy).to.equal(true);
        expect(await stored(name)).to.equal(null);
        const [event] = await changesSince(server, since, "Mutation.deletePolicy");
        expect(event.metadata!.change).to.deep.equal({
          kind: "policy",
          name,
          oldVersion: 1,
          newVersion: null,
          oldDocument: jobPolicy(name),
          newDocument: null,
        });
        expect((await refused(server, admin, DELETE, { n: name })).extensions.code).to.equal("NOT_FOUND");
      });

      it("refuses to delete a policy a role uses with CONFLICT naming the role, and keeps it", async () => {
        const name = unique("in-use");
        const role = unique("user-of");
        await ok<{ createPolicy: PolicyView }>(server, admin, CREATE, { d: jobPolicy(name) });
        await ok(server, admin, `mutation($d: String!) { createRole(document: $d) { name } }`, {
          d: `kind: role\nname: ${role}\npolicies: [${name}]\n`,
        });
        const { extensions, message } = await refused(server, admin, DELETE, { n: name });
        expect(extensions.code).to.equal("CONFLICT");
        expect(message).to.contain(role);
        expect(await stored(name)).to.deep.equal({ version: 1, document: jobPolicy(name) });
      });

      it("refuses to delete a built-in policy with CONFLICT even when no role uses it", async () => {
        const cicd = (await server.app.storage.roles.get("cicd"))!;
        const replacement = unique("pipeline");
        await ok<{ createPolicy: PolicyView }>(server, admin, CREATE, {
          d: jobPolicy(replacement, "[list, read, submit]", "**"),
        });
        await ok(server, admin, `mutation($n: String!, $d: String!) { updateRole(name: $n, document: $d) { name } }`, {
          n: "cicd",
          d: cicd.document.replace("policies: [cicd-deploy]", `policies: [${replacement}]`),
        });
        const { extensions, message } = await refused(server, admin, DELETE, { n: "cicd-deploy" });
        expect(extensions.code).to.equal("CONFLICT");
        expect(message).to.contain("built in");
        expect(await stored("cicd-deploy")).to.not.equal(null);
      });
    });

    describe("escalation", () => {
      let author: Awaited<ReturnType<typeof addUser>>;
      before(async () => {
        await addRole(server, LIMITED_AUTHOR_POLICY, LIMITED_AUTHOR_ROLE);
        author = await addUser(server, ["limited-author"]);
      });

      it("lets an actor write a policy within what it holds", async () => {
        const name = unique("narrow");
        const created = (
          await ok<{ createPolicy: PolicyView }>(server, author.token, CREATE, {
            d: jobPolicy(name, "[read, submit]", "prod/payments"),
          })
        ).createPolicy;
        expect(created.version).to.equal(1);
      });

      it("refuses a policy allowing more than the actor holds with ESCALATION_DENIED naming the capability, storing nothing", async () => {
        const name = unique("greedy");
        const { extensions } = await refused(server, author.token, CREATE, {
          d: `kind: policy\nname: ${name}\nrules:\n  - resource: secret\n    capabilities: [read]\n`,
        });
        expect(extensions).to.deep.include({ code: "ESCALATION_DENIED", capability: "secret:read" });
        expect(await stored(name)).to.equal(null);
        const outside = await refused(server, author.token, CREATE, { d: jobPolicy(name, "[read]", "dev/**") });
        expect(outside.extensions).to.deep.include({ code: "ESCALATION_DENIED", capability: "job:read" });
      });

      it("refuses widening a policy beyond what the actor holds, and leaves it as it was", async () => {
        const name = unique("widen");
        await ok<{ createPolicy: PolicyView }>(server, author.token, CREATE, { d: jobPolicy(name) });
        const { extensions } = await refused(server, author.token, UPDATE, {
          n: name,
          d: jobPolicy(name, "[read]", "**"),
        });
        expect(extensions).to.deep.include({ code: "ESCALATION_DENIED", capability: "job:read" });
        expect(await stored(name)).to.deep.equal({ version: 1, document: jobPolicy(name) });
      });

      it("refuses dropping a deny that cuts a role's other allows the actor does not hold; an escalate holder may", async () => {
        const wide = unique("wide");
        const fence = unique("fence");
        const role = unique("contractor");
        await ok<{ createPolicy: PolicyView }>(server, admin, CREATE, {
          d: `kind: policy\nname: ${wide}\nrules:\n  - resource: secret\n    capabilities: [read]\n`,
        });
        const fenced = `kind: policy\nname: ${fence}\nrules:\n  - resource: secret\n    namespace: prod\n    capabilities: []\n`;
        await ok<{ createPolicy: PolicyView }>(server, admin, CREATE, { d: fenced });
        await ok(server, admin, `mutation($d: String!) { createRole(document: $d) { name } }`, {
          d: `kind: role\nname: ${role}\npolicies: [${wide}, ${fence}]\n`,
        });
        const open = `kind: policy\nname: ${fence}\nrules: []\n`;
        const { extensions } = await refused(server, author.token, UPDATE, { n: fence, d: open });
        expect(extensions).to.deep.include({ code: "ESCALATION_DENIED", capability: "secret:read" });
        expect(await stored(fence)).to.deep.equal({ version: 1, document: fenced });
        expect(
          (await ok<{ updatePolicy: PolicyView }>(server, admin, UPDATE, { n: fence, d: open })).updatePolicy.version,
        ).to.equal(2);
      });
    });

    it("refuses each policy mutation to a user with no roles with FORBIDDEN", async () => {
      const nobody = await addUser(server, []);
      const name = unique("forbidden");
      for (const [query, variables, capability] of [
        [CREATE, { d: jobPolicy(name) }, "policy:create"],
        [UPDATE, { n: "viewer-read", d: jobPolicy("viewer-read") }, "policy:update"],
        [DELETE, { n: "viewer-read" }, "policy:delete"],
      ] as const) {
        const { extensions } = await refused(server, nobody.token, query, variables);
        expect(extensions).to.deep.include({ code: "FORBIDDEN", capability });
      }
      expect(await stored(name)).to.equal(null);
      expect((await stored("viewer-read"))!.version).to.equal(1);
    });
  });
}
