import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { databaseKinds } from "../../support/databases";
import {
  auditHead,
  changeOf,
  changesSince,
  LIMITED_AUTHOR_POLICY,
  LIMITED_AUTHOR_ROLE,
  ok,
  refused,
} from "../../support/access-model";
import { addRole, addUser } from "../../support/principals";
import { serverForSuite, type TestServer, issuesOf } from "../../support/server";

const REGISTER = `mutation($d: String!) { registerResourceType(document: $d) { name capabilities { capability level } } }`;
const CAN = `query($s: SubjectInput, $a: String!, $r: ResourceInput!) { can(subject: $s, action: $a, resource: $r) { allowed reason } }`;

const uniqueType = () => `t_${randomBytes(4).toString("hex")}`;
const typeDoc = (name: string, capabilities: Record<string, string>) =>
  `kind: resourceType\nname: ${name}\ncapabilities:\n${Object.entries(capabilities)
    .map(([c, l]) => `  ${c}: ${l}\n`)
    .join("")}`;

type ResourceTypeView = { name: string; capabilities: Array<{ capability: string; level: string }> };

for (const kind of databaseKinds()) {
  describe(`resource types over HTTP on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: string;

    serverForSuite(kind, (s) => (server = s));
    before(() => {
      admin = server.adminToken;
    });

    const stored = (name: string) => server.app.storage.resourceTypes.get(name);

    it("registers a new type that policies may name at once, with a change record holding its document", async () => {
      const name = uniqueType();
      const since = await auditHead(server);
      const registered = (
        await ok<{ registerResourceType: ResourceTypeView }>(server, admin, REGISTER, {
          d: typeDoc(name, { read: "METADATA", restart: "OPERATE", list: "METADATA" }),
        })
      ).registerResourceType;
      expect(registered).to.deep.equal({
        name,
        capabilities: [
          { capability: "list", level: "METADATA" },
          { capability: "read", level: "METADATA" },
          { capability: "restart", level: "OPERATE" },
        ],
      });
      const listed = (await ok(server, admin, "{ resourceTypes { name } }")).resourceTypes as Array<{ name: string }>;
      expect(listed.map((t) => t.name)).to.include(name);
      const [event, ...rest] = await changesSince(server, since, "Mutation.registerResourceType");
      expect(rest).to.have.length(0);
      expect(event).to.deep.include({ resourceType: "resource_type", resourceName: name });
      expect(changeOf(event)).to.deep.include({
        kind: "resourceType",
        name,
        oldDocument: null,
        addedCapabilities: ["list", "read", "restart"],
      });
      expect(changeOf(event).newDocument).to.contain(`name: ${name}`);
      const policy = `kind: policy\nname: ${name}-ops\nrules:\n  - resource: ${name}\n    capabilities: [restart]\n`;
      expect(
        (
          await ok<{ createPolicy: { version: number } }>(
            server,
            admin,
            `mutation($d: String!) { createPolicy(document: $d) { version } }`,
            { d: policy },
          )
        ).createPolicy.version,
      ).to.equal(1);
    });

    it("adds capabilities to an existing type from a document that leaves the old ones out, keeping the old document in the change record", async () => {
      const name = uniqueType();
      await ok<{ registerResourceType: ResourceTypeView }>(server, admin, REGISTER, {
        d: typeDoc(name, { read: "METADATA" }),
      });
      const since = await auditHead(server);
      const merged = (
        await ok<{ registerResourceType: ResourceTypeView }>(server, admin, REGISTER, {
          d: typeDoc(name, { drain: "OPERATE" }),
        })
      ).registerResourceType;
      expect(merged.capabilities).to.deep.equal([
        { capability: "read", level: "METADATA" },
        { capability: "drain", level: "OPERATE" },
      ]);
      expect(await stored(name)).to.deep.equal({
        name,
        builtIn: false,
        capabilities: { drain: "OPERATE", read: "METADATA" },
      });
      const [event] = await changesSince(server, since, "Mutation.registerResourceType");
      expect(changeOf(event).oldDocument).to.contain("read: METADATA").and.not.to.contain("drain");
      expect(changeOf(event).newDocument).to.contain("drain: OPERATE");
    });

    it("treats a document that adds nothing as a no-op", async () => {
      const name = uniqueType();
      await ok<{ registerResourceType: ResourceTypeView }>(server, admin, REGISTER, {
        d: typeDoc(name, { read: "METADATA", write: "ADMIN" }),
      });
      const since = await auditHead(server);
      const again = (
        await ok<{ registerResourceType: ResourceTypeView }>(server, admin, REGISTER, {
          d: typeDoc(name, { write: "ADMIN" }),
        })
      ).registerResourceType;
      expect(again.capabilities).to.have.length(2);
      expect(await changesSince(server, since)).to.deep.equal([]);
    });

    it("widens level rules at once: a viewer may use a new READ capability of job on the next request", async () => {
      const viewer = await addUser(server, ["viewer"]);
      const ask = { s: { userId: viewer.user.id }, a: "inspect", r: { type: "job", namespace: "prod" } };
      expect((await ok<{ can: { allowed: boolean; reason: string } }>(server, admin, CAN, ask)).can.allowed).to.equal(
        false,
      );
      await ok<{ registerResourceType: ResourceTypeView }>(server, admin, REGISTER, {
        d: typeDoc("job", { inspect: "READ" }),
      });
      expect((await ok<{ can: { allowed: boolean; reason: string } }>(server, admin, CAN, ask)).can).to.deep.equal({
        allowed: true,
        reason: "ALLOWED",
      });
    });

    it("refuses to change an existing capability's level at capabilities.<name>, changing nothing", async () => {
      const { extensions, message } = await refused(server, admin, REGISTER, {
        d: typeDoc("job", { read: "OWNER", logs: "READ", brand_new: "ADMIN" }),
      });
      expect(extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "capabilities.read" });
      expect(message).to.contain("METADATA");
      expect((await stored("job"))!.capabilities)
        .to.deep.include({ read: "METADATA", logs: "READ" })
        .and.not.have.property("brand_new");
    });

    it("refuses any change to the server's own types at `name`", async () => {
      const { extensions } = await refused(server, admin, REGISTER, { d: typeDoc("role", { impersonate: "OWNER" }) });
      expect(extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "name" });
      expect((await stored("role"))!.capabilities).to.not.have.property("impersonate");
    });

    it("refuses invalid documents with the path of each problem, and a YAML syntax error at `document` with line and column", async () => {
      const name = uniqueType();
      const bad = await refused(server, admin, REGISTER, {
        d: `kind: resourceType\nname: ${name}\ncapabilities:\n  read: SOMETIMES\n  Shout: READ\n`,
      });
      expect(bad.extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "capabilities.read" });
      expect(issuesOf(bad.extensions).map((i: { path: string }) => i.path)).to.deep.equal([
        "capabilities.read",
        "capabilities.Shout",
      ]);
      const syntax = await refused(server, admin, REGISTER, {
        d: `kind: resourceType\nname: ${name}\ncapabilities: {read: READ\n`,
      });
      expect(syntax.extensions).to.deep.include({ code: "BAD_USER_INPUT", field: "document" });
      expect(syntax.message).to.match(/line \d+, column \d+/);
      expect(await stored(name)).to.equal(null);
    });

    describe("escalation", () => {
      let author: Awaited<ReturnType<typeof addUser>>;
      before(async () => {
        await addRole(server, LIMITED_AUTHOR_POLICY, LIMITED_AUTHOR_ROLE);
        author = await addUser(server, ["limited-author"]);
      });

      it("refuses a new capability the actor would not hold everywhere, with ESCALATION_DENIED naming it", async () => {
        const { extensions } = await refused(server, author.token, REGISTER, {
          d: typeDoc("job", { peek: "METADATA" }),
        });
        expect(extensions).to.deep.include({ code: "ESCALATION_DENIED", capability: "job:peek" });
        expect((await stored("job"))!.capabilities).to.not.have.property("peek");
      });

      it("refuses a new type to an actor without `*` rules, and lets the admin register both", async () => {
        const name = uniqueType();
        const { extensions } = await refused(server, author.token, REGISTER, { d: typeDoc(name, { read: "READ" }) });
        expect(extensions).to.deep.include({ code: "ESCALATION_DENIED", capability: `${name}:read` });
        expect(await stored(name)).to.equal(null);
        await ok<{ registerResourceType: ResourceTypeView }>(server, admin, REGISTER, {
          d: typeDoc(name, { read: "READ" }),
        });
        await ok<{ registerResourceType: ResourceTypeView }>(server, admin, REGISTER, {
          d: typeDoc("job", { peek: "METADATA" }),
        });
        expect((await stored("job"))!.capabilities).to.have.property("peek", "METADATA");
      });
    });

    it("refuses registerResourceType to a user with no roles with FORBIDDEN", async () => {
      const nobody = await addUser(server, []);
      const name = uniqueType();
      const { extensions } = await refused(server, nobody.token, REGISTER, { d: typeDoc(name, { read: "READ" }) });
      expect(extensions).to.deep.include({ code: "FORBIDDEN", capability: "resource_type:create" });
      expect(await stored(name)).to.equal(null);
    });
  });
}
