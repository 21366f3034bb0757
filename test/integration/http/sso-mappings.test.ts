import { expect } from "chai";
import { auditHead, changeOf, changesSince, ok, refused } from "../../support/access-model";
import { databaseKinds } from "../../support/databases";
import { addRole, addUser, type TestUser } from "../../support/principals";
import { serverForSuite, type TestServer } from "../../support/server";
import { anIdentity, loginRequest, unique } from "../../support/sso";

const LIST = "{ ssoMappings { provider group role { name } scope } }";
const SET = `mutation($mappings: [SsoMappingInput!]!, $provider: String) {
  setSsoMappings(mappings: $mappings, provider: $provider) { provider group role { name } scope }
}`;

const SSO_ADMIN_POLICY = `kind: policy
name: sso-admin
rules:
  - resource: sso
    capabilities: [read, update]
  - resource: job
    namespace: "dev/**"
    capabilities: ["*"]
`;

/** The grants a change of SSO mappings recomputed, as its change record lists them. */
type GrantChanges = { grantsAdded: Array<{ role: string }>; grantsRemoved: Array<{ role: string }> };

for (const kind of databaseKinds()) {
  describe(`SSO mappings over GraphQL on ${kind.name}`, function () {
    this.timeout(120_000);
    let server: TestServer;
    let admin: string;
    let ssoAdmin: TestUser;

    serverForSuite(kind, (s) => (server = s));
    before(async () => {
      admin = server.adminToken;
      await addRole(server, SSO_ADMIN_POLICY, "kind: role\nname: sso-admin\npolicies: [sso-admin]\n");
      ssoAdmin = await addUser(server, ["sso-admin"]);
    });

    const mappingsOf = async (provider: string) =>
      (await server.app.storage.ssoMappings.forProvider(provider)).map(({ group, role, scope }) => ({
        group,
        role,
        scope,
      }));
    const setFor = (provider: string, mappings: Array<Record<string, string>>, token = admin) =>
      ok(server, token, SET, { provider, mappings: mappings.map((m) => ({ provider, ...m })) });

    it("replaces one provider's list, returns it, lists it, and records the old and new lists", async () => {
      const provider = unique("idp");
      await setFor(provider, [{ group: "eng", role: "viewer" }]);
      const before = await auditHead(server);
      const { setSsoMappings } = await setFor(provider, [
        { group: "eng-*", role: "deployer", scope: "staging" },
        { group: "*", role: "viewer" },
      ]);
      expect(setSsoMappings).to.deep.equal([
        { provider, group: "eng-*", role: { name: "deployer" }, scope: "staging" },
        { provider, group: "*", role: { name: "viewer" }, scope: "" },
      ]);
      const { ssoMappings } = await ok<{ ssoMappings: Array<{ provider: string }> }>(server, admin, LIST);
      expect(ssoMappings.filter((m) => m.provider === provider)).to.deep.equal(setSsoMappings);
      const change = changeOf((await changesSince(server, before, "Mutation.setSsoMappings"))[0]);
      expect(change.provider).to.equal(provider);
      expect(change.before).to.deep.equal([{ provider, group: "eng", role: "viewer", scope: "" }]);
      expect(change.after).to.have.length(2);
    });

    it("leaves other providers alone when a provider is named, and replaces every provider when none is", async () => {
      const [p1, p2] = [unique("idp"), unique("idp")];
      await setFor(p1, [{ group: "a", role: "viewer" }]);
      await setFor(p2, [{ group: "b", role: "viewer" }]);
      await setFor(p1, []);
      expect(await mappingsOf(p2)).to.deep.equal([{ group: "b", role: "viewer", scope: "" }]);
      const { setSsoMappings } = await ok(server, admin, SET, {
        mappings: [{ provider: p1, group: "c", role: "auditor" }],
      });
      expect(setSsoMappings).to.deep.equal([{ provider: p1, group: "c", role: { name: "auditor" }, scope: "" }]);
      expect(await mappingsOf(p2)).to.deep.equal([]);
      expect((await ok(server, admin, LIST)).ssoMappings).to.have.length(1);
    });

    const invalid: Array<[string, Array<Record<string, string>>, string, string | null]> = [
      [
        "an unknown role",
        [
          { group: "eng", role: "viewer" },
          { group: "ops", role: "no-such-role" },
        ],
        "mappings[1].role",
        null,
      ],
      ["a group that is not a valid glob", [{ group: "eng//x", role: "viewer" }], "mappings[0].group", null],
      ["an empty group", [{ group: "", role: "viewer" }], "mappings[0].group", null],
      ["a scope that is a glob", [{ group: "eng", role: "viewer", scope: "prod/*" }], "mappings[0].scope", null],
      [
        "a provider name with capitals and spaces",
        [{ group: "eng", role: "viewer", provider: "My IdP" }],
        "mappings[0].provider",
        null,
      ],
      [
        "an entry naming another provider than the one replaced",
        [{ group: "eng", role: "viewer", provider: "other" }],
        "mappings[0].provider",
        "self",
      ],
    ];
    for (const [what, entries, field, providerArg] of invalid) {
      it(`refuses ${what} with BAD_USER_INPUT at ${field} and changes nothing`, async () => {
        const provider = unique("idp");
        await setFor(provider, [{ group: "kept", role: "viewer" }]);
        const mappings = entries.map((m) => ({ provider, ...m }));
        const err = await refused(server, admin, SET, { mappings, provider: providerArg === null ? null : provider });
        expect(err.extensions).to.deep.include({ code: "BAD_USER_INPUT", field });
        expect(await mappingsOf(provider)).to.deep.equal([{ group: "kept", role: "viewer", scope: "" }]);
      });
    }

    it("refuses a mapping to a role the actor does not cover at that scope, naming the capability, and changes nothing", async () => {
      const provider = unique("idp");
      const err = await refused(server, ssoAdmin.token, SET, {
        provider,
        mappings: [{ provider, group: "eng", role: "deployer", scope: "dev" }],
      });
      expect(err.extensions.code).to.equal("ESCALATION_DENIED");
      expect(err.extensions.capability).to.match(/^[a-z_]+:[a-z_*]+$/);
      expect(await mappingsOf(provider)).to.deep.equal([]);
    });

    it("lets an actor map a role it covers, and keep an existing mapping it does not cover", async () => {
      const provider = unique("idp");
      await setFor(provider, [{ group: "ops", role: "deployer" }]);
      await setFor(
        provider,
        [
          { group: "ops", role: "deployer" },
          { group: "eng", role: "sso-admin", scope: "dev" },
        ],
        ssoAdmin.token,
      );
      expect(await mappingsOf(provider)).to.deep.equal([
        { group: "ops", role: "deployer", scope: "" },
        { group: "eng", role: "sso-admin", scope: "dev" },
      ]);
    });

    it("refuses a viewer both fields with FORBIDDEN", async () => {
      const viewer = await addUser(server, ["viewer"]);
      expect((await refused(server, viewer.token, LIST)).extensions).to.deep.include({
        code: "FORBIDDEN",
        capability: "sso:read",
      });
      const provider = unique("idp");
      const err = await refused(server, viewer.token, SET, {
        provider,
        mappings: [{ provider, group: "*", role: "viewer" }],
      });
      expect(err.extensions).to.deep.include({ code: "FORBIDDEN", capability: "sso:update" });
      expect(await mappingsOf(provider)).to.deep.equal([]);
    });

    it("takes a role away at once when its mapping is removed, and leaves manual grants", async () => {
      const provider = unique("idp");
      await setFor(provider, [
        { group: "eng", role: "deployer" },
        { group: "*", role: "viewer" },
      ]);
      const { userId } = await server.app.services.ssoLogin.login(
        anIdentity({ provider, groups: ["eng"] }),
        loginRequest(),
      );
      await ok(server, admin, "mutation($input: GrantInput!) { grantRole(input: $input) { id } }", {
        input: { userId, role: "auditor" },
      });
      expect(server.app.services.runtime.engine().rolesOf(userId)).to.deep.equal(["auditor", "deployer", "viewer"]);
      const before = await auditHead(server);
      await setFor(provider, [
        { group: "*", role: "viewer" },
        { group: "eng", role: "ops", scope: "prod" },
      ]);
      expect(server.app.services.runtime.engine().rolesOf(userId)).to.deep.equal(["auditor", "ops", "viewer"]);
      const grants = await server.app.storage.grants.list({ userId, includeInactive: true });
      expect(grants.map((g) => [g.role, g.scope, g.source]).sort()).to.deep.equal([
        ["auditor", "", "MANUAL"],
        ["ops", "prod", "SSO"],
        ["viewer", "", "SSO"],
      ]);
      const change = changeOf<GrantChanges>((await changesSince(server, before, "Mutation.setSsoMappings"))[0]);
      expect(change.grantsRemoved.map((g) => g.role)).to.deep.equal(["deployer"]);
      expect(change.grantsAdded.map((g) => g.role)).to.deep.equal(["ops"]);
    });
  });
}
