import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { ok } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser } from "../../support/principals";
import { gql, serverForSuite, type TestServer } from "../../support/server";
import {
  aScimUser,
  eventsSince,
  expectScimError,
  GROUP_SCHEMA,
  patchOp,
  scim,
  type ScimResponse,
} from "../../support/scim";

const SET_MAPPINGS = `mutation($mappings: [SsoMappingInput!]!, $provider: String) {
  setSsoMappings(mappings: $mappings, provider: $provider) { group }
}`;
const CAN = `query($subject: SubjectInput!) { can(subject: $subject, action: "submit", resource: { type: "job", namespace: "dev", name: "api" }) { allowed reason } }`;

interface ScimMember {
  value: string;
  display: string;
}
interface ScimGroup {
  schemas: string[];
  id: string;
  displayName: string;
  members: ScimMember[];
}
interface ScimList<T> {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: T[];
}

/** The body of a SCIM answer, read as the resource shape the test expects of it. */
const groupOf = (res: ScimResponse) => res.body as ScimGroup;
const groupListOf = (res: ScimResponse) => res.body as ScimList<ScimGroup>;

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const groupIdOf = (name: string) => Buffer.from(name, "utf8").toString("base64url");

for (const kind of databaseKinds()) {
  describe(`SCIM /Groups on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: string;
    let role: string;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      admin = server.adminToken;
      role = unique("dev-submit");
      await addRole(
        server,
        `kind: policy\nname: ${role}\nrules:\n  - resource: job\n    namespace: dev\n    capabilities: [submit]\n`,
        `kind: role\nname: ${role}\npolicies: [${role}]\n`,
      );
    });

    const newUser = async () => {
      const res = await scim(server, admin, "POST", "/Users", aScimUser());
      expect(res.status, res.raw).to.equal(201);
      return res.body as { id: string; userName: string };
    };
    const createGroup = async (name: string, members: string[]) => {
      const res = await scim(server, admin, "POST", "/Groups", {
        schemas: [GROUP_SCHEMA],
        displayName: name,
        members: members.map((value) => ({ value })),
      });
      expect(res.status, res.raw).to.equal(201);
      return groupOf(res);
    };
    const groupsOf = async (userId: string) => (await server.app.storage.users.get(userId))!.groups;
    const ssoRoles = async (userId: string) =>
      (await server.app.storage.grants.list({ userId }))
        .filter((g) => g.source === "SSO")
        .map((g) => `${g.role}@${g.ssoProvider}`);
    const canSubmit = async (userId: string) =>
      (await ok<{ can: { allowed: boolean } }>(server, admin, CAN, { subject: { userId } })).can.allowed;
    const mapGroup = (group: string, provider = "saml") =>
      ok(server, admin, SET_MAPPINGS, { provider, mappings: [{ provider, group, role, scope: "" }] });

    it("creates a group with members: their groups carry its name, and the id is the name in base64url", async () => {
      const [a, b] = [await newUser(), await newUser()];
      const name = unique("Eng Team/é");
      const body = await createGroup(name, [a.id, b.id]);
      expect(body).to.deep.include({ schemas: [GROUP_SCHEMA], id: groupIdOf(name), displayName: name });
      expect(body.members.map((m) => m.value)).to.have.members([a.id, b.id]);
      expect(await groupsOf(a.id)).to.deep.equal([name]);
      const got = await scim(server, admin, "GET", `/Groups/${body.id}`);
      expect(groupOf(got).members.map((m) => m.display)).to.have.members([a.userName, b.userName]);
      const user = await scim(server, admin, "GET", `/Users/${a.id}`);
      expect(user.body.groups).to.deep.equal([
        { value: body.id, display: name, $ref: `${server.url}/scim/v2/Groups/${body.id}`, type: "direct" },
      ]);
    });

    it("refuses a second group of the same name with 409 uniqueness, and an unknown member with 400, changing nothing", async () => {
      const a = await newUser();
      const name = unique("dup");
      await createGroup(name, [a.id]);
      expectScimError(
        await scim(server, admin, "POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: name, members: [] }),
        409,
        "uniqueness",
      );
      const b = await newUser();
      const other = unique("bad");
      const res = await scim(server, admin, "POST", "/Groups", {
        schemas: [GROUP_SCHEMA],
        displayName: other,
        members: [{ value: b.id }, { value: randomUUID() }],
      });
      expect(expectScimError(res, 400, "invalidValue").detail).to.contain("members[1].value");
      expect(await groupsOf(b.id)).to.deep.equal([]);
    });

    it("lists groups, filters by displayName and leaves members out when asked", async () => {
      const a = await newUser();
      const name = unique("listed");
      await createGroup(name, [a.id]);
      await createGroup(unique("listed"), [a.id]);
      const all = await scim(server, admin, "GET", "/Groups");
      expect(groupListOf(all).Resources.map((g) => g.displayName)).to.include(name);
      expect(all.body.totalResults).to.equal(groupListOf(all).Resources.length);
      const one = await scim(
        server,
        admin,
        "GET",
        `/Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}&excludedAttributes=members`,
      );
      expect(one.body.totalResults).to.equal(1);
      expect(groupListOf(one).Resources[0])
        .to.deep.include({ id: groupIdOf(name), displayName: name })
        .and.not.have.property("members");
      const page = await scim(server, admin, "GET", "/Groups?startIndex=2&count=1");
      expect(page.body).to.deep.include({
        totalResults: groupListOf(all).totalResults,
        startIndex: 2,
        itemsPerPage: 1,
      });
      expect(groupListOf(page).Resources[0].id).to.equal(groupListOf(all).Resources[1].id);
      const none = await scim(
        server,
        admin,
        "GET",
        `/Groups?filter=${encodeURIComponent(`displayName eq "${unique("absent")}"`)}`,
      );
      expect(none.body).to.deep.include({ totalResults: 0, Resources: [] });
      expectScimError(
        await scim(server, admin, "GET", `/Groups?filter=${encodeURIComponent(`displayName sw "x"`)}`),
        400,
        "invalidFilter",
      );
      expectScimError(await scim(server, admin, "GET", `/Groups/${groupIdOf(unique("nobody"))}`), 404);
      expectScimError(await scim(server, admin, "GET", "/Groups/not!an!id"), 404);
    });

    it("adds and removes members with PATCH, the members[value eq] form included, and answers noTarget for a non-member", async () => {
      const [a, b, c] = [await newUser(), await newUser(), await newUser()];
      const name = unique("patched");
      const { id } = await createGroup(name, [a.id]);
      const added = await scim(
        server,
        admin,
        "PATCH",
        `/Groups/${id}`,
        patchOp({ op: "add", path: "members", value: [{ value: b.id }, { value: c.id }] }),
      );
      expect(added.status, added.raw).to.equal(200);
      expect(groupOf(added).members.map((m) => m.value)).to.have.members([a.id, b.id, c.id]);
      const removed = await scim(
        server,
        admin,
        "PATCH",
        `/Groups/${id}`,
        patchOp(
          { op: "remove", path: `members[value eq "${b.id}"]` },
          { op: "Remove", path: "members", value: [{ value: c.id }] },
        ),
      );
      expect(groupOf(removed).members.map((m) => m.value)).to.deep.equal([a.id]);
      expect(await groupsOf(b.id)).to.deep.equal([]);
      expectScimError(
        await scim(
          server,
          admin,
          "PATCH",
          `/Groups/${id}`,
          patchOp({ op: "remove", path: `members[value eq "${b.id}"]` }),
        ),
        400,
        "noTarget",
      );
      expectScimError(
        await scim(
          server,
          admin,
          "PATCH",
          `/Groups/${id}`,
          patchOp({ op: "replace", path: "displayName", value: "renamed" }),
        ),
        400,
        "mutability",
      );
      expectScimError(
        await scim(server, admin, "PATCH", `/Groups/${id}`, patchOp({ op: "add", path: "owners", value: [] })),
        400,
        "invalidPath",
      );
    });

    it("replaces members with PUT and with PATCH replace without a path", async () => {
      const [a, b, c] = [await newUser(), await newUser(), await newUser()];
      const name = unique("replaced");
      const { id } = await createGroup(name, [a.id, b.id]);
      const put = await scim(server, admin, "PUT", `/Groups/${id}`, {
        schemas: [GROUP_SCHEMA],
        displayName: name,
        members: [{ value: c.id }],
      });
      expect(groupOf(put).members.map((m) => m.value)).to.deep.equal([c.id]);
      expect(await groupsOf(a.id)).to.deep.equal([]);
      const patched = await scim(
        server,
        admin,
        "PATCH",
        `/Groups/${id}`,
        patchOp({ op: "replace", value: { displayName: name, members: [{ value: a.id }] } }),
      );
      expect(groupOf(patched).members.map((m) => m.value)).to.deep.equal([a.id]);
      expectScimError(
        await scim(server, admin, "PUT", `/Groups/${id}`, {
          schemas: [GROUP_SCHEMA],
          displayName: "other",
          members: [],
        }),
        400,
        "mutability",
      );
    });

    it("answers a group created without members, which is kept by nobody until members are added to its id", async () => {
      const name = unique("empty");
      const created = await scim(server, admin, "POST", "/Groups", { schemas: [GROUP_SCHEMA], displayName: name });
      expect(created.status, created.raw).to.equal(201);
      expect(created.body).to.deep.include({ id: groupIdOf(name), displayName: name, members: [] });
      expectScimError(await scim(server, admin, "GET", `/Groups/${created.body.id}`), 404);
      const a = await newUser();
      const filled = await scim(
        server,
        admin,
        "PATCH",
        `/Groups/${created.body.id}`,
        patchOp({ op: "add", path: "members", value: [{ value: a.id }] }),
      );
      expect(groupOf(filled).members.map((m) => m.value)).to.deep.equal([a.id]);
      expect((await scim(server, admin, "GET", `/Groups/${created.body.id}`)).status).to.equal(200);
    });

    it("removes every member with a remove of members without a value", async () => {
      const [a, b] = [await newUser(), await newUser()];
      const { id } = await createGroup(unique("emptied"), [a.id, b.id]);
      const res = await scim(server, admin, "PATCH", `/Groups/${id}`, patchOp({ op: "remove", path: "members" }));
      expect(res.body.members).to.deep.equal([]);
      expect(await groupsOf(a.id)).to.deep.equal([]);
      expect(await groupsOf(b.id)).to.deep.equal([]);
    });

    it("deletes a group from every member; then GET answers 404, and members can be added again by id", async () => {
      const [a, b] = [await newUser(), await newUser()];
      const name = unique("deleted");
      const { id } = await createGroup(name, [a.id, b.id]);
      const since = (await server.app.storage.audit.head()).sequence;
      expect((await scim(server, admin, "DELETE", `/Groups/${id}`)).status).to.equal(204);
      expect(await groupsOf(a.id)).to.deep.equal([]);
      expect(await groupsOf(b.id)).to.deep.equal([]);
      const events = await eventsSince(server, since, "SCIM.Groups.delete");
      expect(events.map((e) => [e.action, e.decision])).to.deep.equal([
        ["update", "ALLOW"],
        ["change", "ALLOW"],
      ]);
      expectScimError(await scim(server, admin, "GET", `/Groups/${id}`), 404);
      expectScimError(await scim(server, admin, "DELETE", `/Groups/${id}`), 404);
      const again = await scim(
        server,
        admin,
        "PATCH",
        `/Groups/${id}`,
        patchOp({ op: "add", path: "members", value: [{ value: a.id }] }),
      );
      expect(groupOf(again).members.map((m) => m.value)).to.deep.equal([a.id]);
    });

    it("recomputes SSO grants of the SCIM provider when members are added and removed, in the same request", async () => {
      const a = await newUser();
      const name = unique("deployers");
      await mapGroup(name);
      expect(await canSubmit(a.id)).to.equal(false);
      const { id } = await createGroup(name, [a.id]);
      expect(await ssoRoles(a.id)).to.deep.equal([`${role}@saml`]);
      expect(await canSubmit(a.id)).to.equal(true);

      const removed = await scim(
        server,
        admin,
        "PATCH",
        `/Groups/${id}`,
        patchOp({ op: "remove", path: `members[value eq "${a.id}"]` }),
      );
      expect(removed.status, removed.raw).to.equal(200);
      expect(await ssoRoles(a.id)).to.deep.equal([]);
      expect(await canSubmit(a.id)).to.equal(false);

      await scim(
        server,
        admin,
        "PATCH",
        `/Groups/${id}`,
        patchOp({ op: "add", path: "members", value: [{ value: a.id }] }),
      );
      expect(await canSubmit(a.id)).to.equal(true);
      await scim(server, admin, "DELETE", `/Groups/${id}`);
      expect(await canSubmit(a.id)).to.equal(false);
    });

    it("leaves other providers' mappings alone: only SCIM_PROVIDER's mappings give grants", async () => {
      const a = await newUser();
      const name = unique("oidc-only");
      await mapGroup(name, "oidc");
      await createGroup(name, [a.id]);
      expect(await ssoRoles(a.id)).to.deep.equal([]);
    });

    it("keeps a deprovisioned member in its groups, and takes a deleted user out of them", async () => {
      const [a, b] = [await newUser(), await newUser()];
      const name = unique("leavers");
      const { id } = await createGroup(name, [a.id, b.id]);
      await scim(server, admin, "PATCH", `/Users/${a.id}`, patchOp({ op: "replace", path: "active", value: false }));
      await scim(server, admin, "DELETE", `/Users/${b.id}`);
      const got = await scim(server, admin, "GET", `/Groups/${id}`);
      expect(groupOf(got).members.map((m) => m.value)).to.deep.equal([a.id]);
      expect(await groupsOf(b.id)).to.deep.equal([]);
    });

    it("refuses to add a deprovisioned user to a group", async () => {
      const a = await newUser();
      await scim(server, admin, "DELETE", `/Users/${a.id}`);
      const b = await scim(server, admin, "POST", "/Users", aScimUser({ active: false }));
      const name = unique("zombies");
      expectScimError(
        await scim(server, admin, "POST", "/Groups", {
          schemas: [GROUP_SCHEMA],
          displayName: name,
          members: [{ value: a.id }],
        }),
        400,
        "invalidValue",
      );
      const res = await scim(server, admin, "POST", "/Groups", {
        schemas: [GROUP_SCHEMA],
        displayName: name,
        members: [{ value: (b.body as { id: string }).id }],
      });
      expect(expectScimError(res, 400, "invalidValue").detail).to.contain("deprovisioned");
    });

    it("refuses to put someone in a group holding a role the caller may not give (escalation)", async () => {
      const name = unique("admins");
      const grant = await gql(server.url, `mutation($input: GrantInput!) { grantRole(input: $input) { id } }`, {
        token: admin,
        variables: { input: { group: name, role: "admin" } },
      });
      expect(grant.errors, grant.raw).to.equal(undefined);
      const userAdmin = unique("user-admin");
      await addRole(
        server,
        `kind: policy\nname: ${userAdmin}\nrules:\n  - resource: user\n    capabilities: ["*"]\n`,
        `kind: role\nname: ${userAdmin}\npolicies: [${userAdmin}]\n`,
      );
      const caller = await addUser(server, [userAdmin]);
      const a = await newUser();
      const res = await scim(server, caller.token, "POST", "/Groups", {
        schemas: [GROUP_SCHEMA],
        displayName: name,
        members: [{ value: a.id }],
      });
      expect(expectScimError(res, 403).detail).to.contain("giving role 'admin'");
      expect(await groupsOf(a.id)).to.deep.equal([]);
    });
  });
}
