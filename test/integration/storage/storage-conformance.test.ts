// One suite, every database: the repositories keep the contracts written on
// the interfaces in src/domain/ports/storage.port.ts.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { AuditEventInput, AuditEventRecord } from "../../../src/domain/audit/audit-event";
import { eventHash } from "../../../src/domain/audit/audit-hash";
import { DomainError } from "../../../src/domain/errors";
import type { ChainFn } from "../../../src/domain/ports/audit.port";
import { TypeormStorage } from "../../../src/storage/typeorm-storage";
import { databaseKinds, type TestDatabase } from "../../support/databases";
import { aGrant, aPolicy, aRole, aToken, aUser, at } from "./fixtures";

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<DomainError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(DomainError);
    expect((err as DomainError).code).to.equal(code);
    return err as DomainError;
  }
  throw new Error(`expected a ${code} DomainError`);
}

for (const kind of databaseKinds()) {
  describe(`storage conformance on ${kind.name}`, function () {
    this.timeout(60_000);
    let db: TestDatabase;
    let storage: TypeormStorage;

    before(async () => {
      db = await kind.create();
      storage = await TypeormStorage.open(db.config, { migrate: true });
    });
    after(async () => {
      await storage?.close();
      await db?.drop();
    });

    describe("users", () => {
      it("stores a user and reads it back by id and by email, ignoring case", async () => {
        const u = aUser({ email: "Mixed.Case@Example.com", groups: ["a", "b"] });
        await storage.users.create(u);
        const byId = await storage.users.get(u.id);
        expect(byId).to.deep.equal({ ...u, email: "mixed.case@example.com" });
        expect((await storage.users.getByEmail("MIXED.case@example.COM"))?.id).to.equal(u.id);
        expect(await storage.users.get(randomUUID())).to.equal(null);
      });

      it("refuses a second user with the same email in another case, with CONFLICT", async () => {
        const u = aUser();
        await storage.users.create(u);
        await rejectsWith(storage.users.create(aUser({ email: u.email.toUpperCase() })), "CONFLICT");
      });

      it("pages by id in ascending order", async () => {
        for (let i = 0; i < 5; i++) await storage.users.create(aUser());
        const all = await storage.users.all();
        const first = await storage.users.list(2);
        expect(first.map((u) => u.id)).to.deep.equal(all.slice(0, 2).map((u) => u.id));
        const next = await storage.users.list(3, first[1].id);
        expect(next.map((u) => u.id)).to.deep.equal(all.slice(2, 5).map((u) => u.id));
        expect(await storage.users.count()).to.equal(all.length);
        expect((await storage.users.getMany([all[0].id, "missing"])).map((u) => u.id)).to.deep.equal([all[0].id]);
      });

      it("updates mutable fields and keeps milliseconds", async () => {
        const u = aUser();
        await storage.users.create(u);
        const changed = {
          ...u,
          status: "LOCKED" as const,
          lockedReason: "left",
          lastSeenAt: at("2026-05-06T07:08:09.123Z"),
          groups: [],
        };
        await storage.users.update(changed);
        expect(await storage.users.get(u.id)).to.deep.equal(changed);
        const removed = { ...changed, status: "DEPROVISIONED" as const, removedAt: at("2026-05-07T00:00:00.001Z") };
        await storage.users.update(removed);
        expect(await storage.users.get(u.id)).to.deep.equal(removed);
      });

      it("pages users not deleted by their identity provider, by offset, and counts them", async () => {
        for (let i = 0; i < 3; i++) await storage.users.create(aUser());
        await storage.users.create(aUser({ status: "DEPROVISIONED", removedAt: at("2026-02-01T00:00:00.000Z") }));
        const present = (await storage.users.all()).filter((u) => !u.removedAt);
        expect(await storage.users.countPresent()).to.equal(present.length);
        expect((await storage.users.listPresent(1, 2)).map((u) => u.id)).to.deep.equal(
          present.slice(1, 3).map((u) => u.id),
        );
        expect((await storage.users.listPresent(0, present.length + 5)).map((u) => u.id)).to.deep.equal(
          present.map((u) => u.id),
        );
        expect(await storage.users.listPresent(0, 0)).to.deep.equal([]);
      });

      it("finds users by exact externalId, case included", async () => {
        const externalId = `ext-${randomUUID()}`;
        const a = aUser({ externalId });
        const b = aUser({ externalId: externalId.toUpperCase() });
        await storage.users.create(a);
        await storage.users.create(b);
        expect((await storage.users.findByExternalId(externalId)).map((u) => u.id)).to.deep.equal([a.id]);
        expect(await storage.users.findByExternalId(`ext-${randomUUID()}`)).to.deep.equal([]);
      });

      it("finds the members of a group by exact name, LIKE wildcards and quotes taken literally", async () => {
        const tag = randomUUID().slice(0, 8);
        const odd = `50%_off "${tag}" \\ é`;
        const plain = aUser({ groups: [`eng-${tag}`, odd] });
        const prefix = aUser({ groups: [`eng-${tag}-ops`] });
        const upper = aUser({ groups: [`ENG-${tag}`] });
        const wild = aUser({ groups: [`50x_off "${tag}" \\ é`] });
        for (const u of [plain, prefix, upper, wild]) await storage.users.create(u);
        expect((await storage.users.membersOf(`eng-${tag}`)).map((u) => u.id)).to.deep.equal([plain.id]);
        expect((await storage.users.membersOf(odd)).map((u) => u.id)).to.deep.equal([plain.id]);
        const names = await storage.users.groupNames();
        expect(names).to.include.members([`eng-${tag}`, odd, `eng-${tag}-ops`, `ENG-${tag}`]);
        expect(new Set(names).size).to.equal(names.length);
        expect(names).to.deep.equal([...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
      });

      it("finds a user by source, provider and external id, exactly, case included", async () => {
        const externalId = `ext-${randomUUID()}`;
        const u = aUser({ source: "OIDC", externalId, externalProvider: "okta" });
        await storage.users.create(u);
        const upper = aUser({ source: "OIDC", externalId: externalId.toUpperCase(), externalProvider: "okta" });
        await storage.users.create(upper);
        await storage.users.create(aUser({ source: "SAML", externalId, externalProvider: "okta" }));
        expect(await storage.users.get(u.id)).to.deep.include({ externalProvider: "okta" });
        expect((await storage.users.getByExternalIdentity("OIDC", "okta", externalId))?.id).to.equal(u.id);
        expect((await storage.users.getByExternalIdentity("OIDC", "okta", externalId.toUpperCase()))?.id).to.equal(
          upper.id,
        );
        // The same id from another provider of the protocol is another identity.
        expect(await storage.users.getByExternalIdentity("OIDC", "partner", externalId)).to.equal(null);
        expect(await storage.users.getByExternalIdentity("LDAP", "okta", externalId)).to.equal(null);
      });

      // A case-insensitive collation is a MySQL matter (SQLite compares text exactly).
      if (kind.name === "mysql")
        it("keeps exact matches where the external id column compares ignoring case (a MySQL _ci collation)", async () => {
          const column = (collation: string) =>
            storage.dataSource.query(
              `ALTER TABLE users MODIFY external_id varchar(255) CHARACTER SET utf8mb4 COLLATE ${collation} NULL`,
            );
          await column("utf8mb4_general_ci");
          try {
            const externalId = `Ext-${randomUUID()}`;
            const mixed = aUser({ source: "SAML", externalId, externalProvider: "saml" });
            const lower = aUser({ source: "SAML", externalId: externalId.toLowerCase(), externalProvider: "saml" });
            await storage.users.create(mixed);
            await storage.users.create(lower);
            expect((await storage.users.getByExternalIdentity("SAML", "saml", externalId))?.id).to.equal(mixed.id);
            expect((await storage.users.getByExternalIdentity("SAML", "saml", externalId.toLowerCase()))?.id).to.equal(
              lower.id,
            );
            expect(await storage.users.getByExternalIdentity("SAML", "saml", externalId.toUpperCase())).to.equal(null);
            expect((await storage.users.findByExternalId(externalId)).map((u) => u.id)).to.deep.equal([mixed.id]);
          } finally {
            await column("utf8mb4_bin");
          }
        });

      it("falls back to a user recorded without a provider, and prefers the provider's own", async () => {
        const externalId = `ext-${randomUUID()}`;
        const legacy = aUser({ source: "SAML", externalId, externalProvider: null });
        await storage.users.create(legacy);
        await storage.users.create(aUser({ source: "SAML", externalId: externalId.toUpperCase() }));
        expect((await storage.users.getByExternalIdentity("SAML", "saml", externalId))?.id).to.equal(legacy.id);
        expect((await storage.users.getByExternalIdentity("SAML", "partner", externalId))?.id).to.equal(legacy.id);
        const pinned = aUser({ source: "SAML", externalId, externalProvider: "saml" });
        await storage.users.create(pinned);
        expect((await storage.users.getByExternalIdentity("SAML", "saml", externalId))?.id).to.equal(pinned.id);
        await storage.users.update({ ...legacy, externalProvider: "partner" });
        expect((await storage.users.getByExternalIdentity("SAML", "partner", externalId))?.id).to.equal(legacy.id);
        expect(await storage.users.getByExternalIdentity("SAML", "other", externalId)).to.equal(null);
      });
    });

    describe("resource types", () => {
      it("creates a type and later only adds capabilities, never removing or changing one", async () => {
        const name = `t_${randomUUID().slice(0, 6)}`;
        await storage.resourceTypes.save({ name, builtIn: false, capabilities: { read: "READ", list: "METADATA" } });
        await storage.resourceTypes.save({ name, builtIn: false, capabilities: { read: "OWNER", exec: "OWNER" } });
        expect(await storage.resourceTypes.get(name)).to.deep.equal({
          name,
          builtIn: false,
          capabilities: { exec: "OWNER", list: "METADATA", read: "READ" },
        });
        expect((await storage.resourceTypes.all()).map((t) => t.name)).to.include(name);
        expect(await storage.resourceTypes.get("no_such_type")).to.equal(null);
      });
    });

    describe("policies", () => {
      it("creates, reads ignoring case, and keeps every version", async () => {
        const p = aPolicy({ name: "Deploy-Prod" });
        await storage.policies.create(p, null);
        expect(await storage.policies.get("deploy-prod")).to.deep.equal(p);
        const v2 = {
          ...p,
          version: 2,
          document: p.document + "description: two\n",
          updatedAt: at("2026-02-01T00:00:00.000Z"),
        };
        await storage.policies.update(v2, null);
        expect((await storage.policies.get(p.name))?.version).to.equal(2);
        expect((await storage.policies.versions(p.name)).map((v) => [v.version, v.document])).to.deep.equal([
          [1, p.document],
          [2, v2.document],
        ]);
      });

      it("refuses a duplicate name ignoring case with CONFLICT", async () => {
        const p = aPolicy();
        await storage.policies.create(p, null);
        await rejectsWith(storage.policies.create(aPolicy({ name: p.name.toUpperCase() }), null), "CONFLICT");
      });

      it("refuses to delete a policy a role uses, and deletes it once unused", async () => {
        const p = aPolicy();
        await storage.policies.create(p, null);
        const r = aRole({ policies: [p.name] });
        await storage.roles.create(r);
        expect(await storage.policies.usedBy(p.name)).to.deep.equal([r.name]);
        await rejectsWith(storage.policies.delete(p.name), "CONFLICT");
        await storage.roles.update({ ...r, policies: [] });
        expect(await storage.policies.delete(p.name)).to.equal(true);
        expect(await storage.policies.delete(p.name)).to.equal(false);
      });
    });

    describe("roles", () => {
      it("stores references by name, in document order", async () => {
        const [p1, p2] = [aPolicy(), aPolicy()];
        await storage.policies.create(p1, null);
        await storage.policies.create(p2, null);
        const base = aRole();
        const other = aRole();
        await storage.roles.create(base);
        await storage.roles.create(other);
        const r = aRole({
          policies: [p2.name, p1.name],
          inherits: [other.name, base.name],
          requestableRoles: [base.name],
          reviewableRoles: [other.name],
        });
        await storage.roles.create(r);
        expect(await storage.roles.get(r.name.toUpperCase())).to.deep.equal(r);
      });

      it("refuses a reference to a policy that does not exist and writes nothing", async () => {
        const r = aRole({ policies: ["no-such-policy"] });
        const err = await rejectsWith(
          storage.transaction((repos) => repos.roles.create(r)),
          "NOT_FOUND",
        );
        expect(err.details.field).to.equal("policies[0]");
        expect(await storage.roles.get(r.name)).to.equal(null);
      });

      it("refuses to delete a role that is granted or inherited, with CONFLICT", async () => {
        const granted = aRole();
        const parent = aRole();
        await storage.roles.create(granted);
        await storage.roles.create(parent);
        await storage.roles.create(aRole({ inherits: [parent.name] }));
        const u = aUser();
        await storage.users.create(u);
        await storage.grants.create(aGrant(granted.name, { userId: u.id }));
        await rejectsWith(storage.roles.delete(granted.name), "CONFLICT");
        await rejectsWith(storage.roles.delete(parent.name), "CONFLICT");
        const free = aRole();
        await storage.roles.create(free);
        expect(await storage.roles.delete(free.name)).to.equal(true);
        expect(await storage.roles.delete(free.name)).to.equal(false);
      });
    });

    describe("grants", () => {
      it("lists current grants by user and role, and every grant when asked", async () => {
        const role = aRole();
        await storage.roles.create(role);
        const u = aUser();
        await storage.users.create(u);
        const now = at("2026-06-01T00:00:00.000Z");
        const current = aGrant(role.name, { userId: u.id, scope: "prod", createdAt: at("2026-01-01T00:00:00.000Z") });
        const expired = aGrant(role.name, {
          userId: u.id,
          expiresAt: at("2026-05-31T23:59:59.999Z"),
          createdAt: at("2026-01-02T00:00:00.000Z"),
        });
        const future = aGrant(role.name, {
          userId: u.id,
          startsAt: at("2026-06-01T00:00:01.000Z"),
          createdAt: at("2026-01-03T00:00:00.000Z"),
        });
        const inactive = aGrant(role.name, { userId: u.id, active: false, createdAt: at("2026-01-04T00:00:00.000Z") });
        for (const g of [current, expired, future, inactive]) await storage.grants.create(g);
        expect(await storage.grants.list({ userId: u.id, now })).to.deep.equal([current]);
        expect((await storage.grants.list({ userId: u.id, includeInactive: true })).map((g) => g.id)).to.deep.equal(
          [current, expired, future, inactive].map((g) => g.id),
        );
        expect((await storage.grants.list({ role: role.name.toUpperCase(), now })).map((g) => g.id)).to.deep.equal([
          current.id,
        ]);
        expect(await storage.grants.get(current.id)).to.deep.equal(current);
      });

      it("loads the grants of many users and of groups in one call each", async () => {
        const role = aRole();
        await storage.roles.create(role);
        const [a, b, c] = [aUser(), aUser(), aUser()];
        for (const u of [a, b, c]) await storage.users.create(u);
        const ga = aGrant(role.name, { userId: a.id });
        const gb = aGrant(role.name, { userId: b.id });
        const group = `grp-${randomUUID().slice(0, 6)}`;
        const gg = aGrant(role.name, { subjectType: "GROUP", group });
        for (const g of [ga, gb, gg]) await storage.grants.create(g);
        const byUser = await storage.grants.forUsers([a.id, b.id, c.id]);
        expect(byUser.get(a.id)).to.deep.equal([ga]);
        expect(byUser.get(b.id)).to.deep.equal([gb]);
        expect(byUser.get(c.id)).to.deep.equal([]);
        expect(await storage.grants.forGroups([group, "other"])).to.deep.equal([gg]);
      });

      it("deletes one grant, and every grant of a user", async () => {
        const role = aRole();
        await storage.roles.create(role);
        const u = aUser();
        await storage.users.create(u);
        const [g1, g2, g3] = [
          aGrant(role.name, { userId: u.id }),
          aGrant(role.name, { userId: u.id }),
          aGrant(role.name, { userId: u.id }),
        ];
        for (const g of [g1, g2, g3]) await storage.grants.create(g);
        expect(await storage.grants.delete(g1.id)).to.equal(true);
        expect(await storage.grants.delete(g1.id)).to.equal(false);
        expect(await storage.grants.deleteForUser(u.id)).to.equal(2);
        expect(await storage.grants.list({ userId: u.id, includeInactive: true })).to.deep.equal([]);
      });

      it("lists the users holding SSO grants of given providers, once each", async () => {
        const role = aRole();
        await storage.roles.create(role);
        const [a, b, c] = [aUser(), aUser(), aUser()];
        for (const u of [a, b, c]) await storage.users.create(u);
        const p1 = `p-${randomUUID().slice(0, 6)}`;
        const p2 = `p-${randomUUID().slice(0, 6)}`;
        await storage.grants.create(aGrant(role.name, { userId: a.id, source: "SSO", ssoProvider: p1 }));
        await storage.grants.create(
          aGrant(role.name, { userId: a.id, source: "SSO", ssoProvider: p1, scope: "prod", active: false }),
        );
        await storage.grants.create(aGrant(role.name, { userId: b.id, source: "SSO", ssoProvider: p2 }));
        await storage.grants.create(aGrant(role.name, { userId: c.id, source: "MANUAL" }));
        expect(await storage.grants.ssoUserIds([p1])).to.deep.equal([a.id]);
        expect(await storage.grants.ssoUserIds([p1, p2])).to.deep.equal([a.id, b.id].sort());
        expect(await storage.grants.ssoUserIds([])).to.deep.equal([]);
      });

      it("refuses a grant of a role that does not exist", async () => {
        await rejectsWith(
          storage.grants.create(aGrant("no-such-role", { subjectType: "GROUP", group: "g" })),
          "NOT_FOUND",
        );
      });
    });

    describe("tokens", () => {
      it("finds a token by the hash of its secret and lists an owner's tokens", async () => {
        const u = aUser();
        await storage.users.create(u);
        const t1 = aToken(u.id, {
          roles: ["viewer"],
          boundCidrs: ["10.0.0.0/8"],
          createdAt: at("2026-01-01T00:00:00.000Z"),
        });
        const t2 = aToken(u.id, {
          createdAt: at("2026-01-02T00:00:00.000Z"),
          revokedAt: at("2026-01-03T00:00:00.000Z"),
        });
        await storage.tokens.create(t1);
        await storage.tokens.create(t2);
        expect(await storage.tokens.getByHash(t1.secretHash)).to.deep.equal(t1);
        expect(await storage.tokens.getByHash("f".repeat(64))).to.equal(null);
        expect((await storage.tokens.listByOwner(u.id, false)).map((t) => t.id)).to.deep.equal([t1.id]);
        expect((await storage.tokens.listByOwner(u.id, true)).map((t) => t.id)).to.deep.equal([t1.id, t2.id]);
        expect((await storage.tokens.forOwners([u.id])).get(u.id)?.map((t) => t.id)).to.deep.equal([t1.id, t2.id]);
        expect((await storage.tokens.allActive()).map((t) => t.id))
          .to.include(t1.id)
          .and.not.include(t2.id);
      });

      it("updates a token and revokes every live token of an owner, counting them", async () => {
        const u = aUser();
        await storage.users.create(u);
        const tokens = [aToken(u.id), aToken(u.id), aToken(u.id, { revokedAt: at("2026-01-01T00:00:00.000Z") })];
        for (const t of tokens) await storage.tokens.create(t);
        const used = { ...tokens[0], lastUsedAt: at("2026-03-03T03:03:03.333Z"), lastUsedIp: "2001:db8::1" };
        await storage.tokens.update(used);
        expect(await storage.tokens.get(used.id)).to.deep.equal(used);
        expect(await storage.tokens.revokeForOwner(u.id, at("2026-04-04T00:00:00.000Z"))).to.equal(2);
        expect(await storage.tokens.listByOwner(u.id, false)).to.deep.equal([]);
      });

      it("records a use unless a later one is stored, touching no other field", async () => {
        const u = aUser();
        await storage.users.create(u);
        const t = aToken(u.id, { roles: ["viewer"], boundCidrs: ["10.0.0.0/8"] });
        await storage.tokens.create(t);
        const first = at("2026-05-05T10:00:00.000Z");
        expect(await storage.tokens.recordUse(t.id, first, "10.1.2.3", at("2026-05-05T09:59:00.000Z"))).to.equal(true);
        expect(await storage.tokens.get(t.id)).to.deep.equal({ ...t, lastUsedAt: first, lastUsedIp: "10.1.2.3" });
        // A use stored after the cutoff wins: nothing is written.
        expect(
          await storage.tokens.recordUse(
            t.id,
            at("2026-05-05T10:00:30.000Z"),
            "10.9.9.9",
            at("2026-05-05T09:59:30.000Z"),
          ),
        ).to.equal(false);
        expect((await storage.tokens.get(t.id))?.lastUsedIp).to.equal("10.1.2.3");
        // At or before the cutoff it is replaced, to the millisecond.
        const later = at("2026-05-05T10:01:00.001Z");
        expect(await storage.tokens.recordUse(t.id, later, "2001:db8::2", first)).to.equal(true);
        expect(await storage.tokens.get(t.id)).to.deep.equal({ ...t, lastUsedAt: later, lastUsedIp: "2001:db8::2" });
        expect(await storage.tokens.recordUse(randomUUID(), later, null, later)).to.equal(false);
      });
    });

    describe("SSO mappings", () => {
      it("replaces one provider's list in order, leaving other providers alone", async () => {
        const [r1, r2] = [aRole(), aRole()];
        for (const r of [r1, r2]) await storage.roles.create(r);
        const p1 = `p-${randomUUID().slice(0, 6)}`;
        const p2 = `q-${randomUUID().slice(0, 6)}`;
        const first = [
          { provider: p1, group: "eng-*", role: r2.name, scope: "" },
          { provider: p1, group: "*", role: r1.name, scope: "prod" },
        ];
        await storage.ssoMappings.replace(p1, first);
        await storage.ssoMappings.replace(p2, [{ provider: p2, group: "ops", role: r1.name.toUpperCase(), scope: "" }]);
        expect(await storage.ssoMappings.forProvider(p1)).to.deep.equal(first);
        expect(await storage.ssoMappings.forProvider(p2)).to.deep.equal([
          { provider: p2, group: "ops", role: r1.name, scope: "" },
        ]);
        await storage.ssoMappings.replace(p1, [first[1]]);
        expect(await storage.ssoMappings.forProvider(p1)).to.deep.equal([first[1]]);
        expect(await storage.ssoMappings.forProvider(p2)).to.have.length(1);
        expect(await storage.ssoMappings.forProvider("nobody")).to.deep.equal([]);
      });

      it("replaces every provider's list at once, ordered by provider", async () => {
        const role = aRole();
        await storage.roles.create(role);
        await storage.ssoMappings.replace("zz-old", [{ provider: "zz-old", group: "x", role: role.name, scope: "" }]);
        const next = [
          { provider: "b-idp", group: "ops", role: role.name, scope: "" },
          { provider: "a-idp", group: "eng", role: role.name, scope: "dev" },
          { provider: "b-idp", group: "*", role: role.name, scope: "" },
        ];
        await storage.ssoMappings.replace(null, next);
        expect(await storage.ssoMappings.all()).to.deep.equal([next[1], next[0], next[2]]);
      });

      it("refuses a mapping to a role that does not exist and changes nothing", async () => {
        const role = aRole();
        await storage.roles.create(role);
        const provider = `p-${randomUUID().slice(0, 6)}`;
        const kept = [{ provider, group: "eng", role: role.name, scope: "" }];
        await storage.ssoMappings.replace(provider, kept);
        await rejectsWith(
          storage.ssoMappings.replace(provider, [{ provider, group: "eng", role: "no-such-role", scope: "" }]),
          "NOT_FOUND",
        );
        expect(await storage.ssoMappings.forProvider(provider)).to.deep.equal(kept);
      });

      it("keeps a mapped role from being deleted", async () => {
        const role = aRole();
        await storage.roles.create(role);
        const provider = `p-${randomUUID().slice(0, 6)}`;
        await storage.ssoMappings.replace(provider, [{ provider, group: "eng", role: role.name, scope: "" }]);
        await rejectsWith(storage.roles.delete(role.name), "CONFLICT");
        await storage.ssoMappings.replace(provider, []);
        expect(await storage.roles.delete(role.name)).to.equal(true);
      });
    });

    describe("sessions", () => {
      it("stores a session, finds it by hash and revokes a user's sessions", async () => {
        const u = aUser();
        await storage.users.create(u);
        const s = {
          id: randomUUID(),
          userId: u.id,
          secretHash: "a".repeat(64),
          source: "OIDC" as const,
          mfa: true,
          mfaVerifiedUntil: null,
          sourceIp: "10.1.2.3",
          createdAt: at("2026-01-01T00:00:00.000Z"),
          expiresAt: at("2026-01-01T08:00:00.000Z"),
          lastSeenAt: null,
          revokedAt: null,
        };
        await storage.sessions.create(s);
        expect(await storage.sessions.getByHash(s.secretHash)).to.deep.equal(s);
        expect(await storage.sessions.revokeForUser(u.id, at("2026-01-01T01:00:00.000Z"))).to.equal(1);
        expect(await storage.sessions.revokeForUser(u.id, at("2026-01-01T02:00:00.000Z"))).to.equal(0);
        expect((await storage.sessions.getByHash(s.secretHash))?.revokedAt).to.deep.equal(
          at("2026-01-01T01:00:00.000Z"),
        );
      });

      it("reads a session by id and ends one live session, once", async () => {
        const u = aUser();
        await storage.users.create(u);
        const s = {
          id: randomUUID(),
          userId: u.id,
          secretHash: randomUUID().replace(/-/g, "").padEnd(64, "b"),
          source: "SAML" as const,
          mfa: false,
          mfaVerifiedUntil: null,
          sourceIp: null,
          createdAt: at("2026-01-01T00:00:00.000Z"),
          expiresAt: at("2026-01-01T08:00:00.000Z"),
          lastSeenAt: null,
          revokedAt: null,
        };
        await storage.sessions.create(s);
        expect(await storage.sessions.get(s.id)).to.deep.equal(s);
        expect(await storage.sessions.get(randomUUID())).to.equal(null);
        expect(await storage.sessions.revoke(s.id, at("2026-01-01T09:00:00.000Z"))).to.equal(false);
        expect(await storage.sessions.revoke(s.id, at("2026-01-01T01:00:00.000Z"))).to.equal(true);
        expect(await storage.sessions.revoke(s.id, at("2026-01-01T02:00:00.000Z"))).to.equal(false);
        const verified = {
          ...s,
          mfaVerifiedUntil: at("2026-01-01T01:15:00.000Z"),
          revokedAt: at("2026-01-01T01:00:00.000Z"),
        };
        await storage.sessions.update(verified);
        expect(await storage.sessions.get(s.id)).to.deep.equal(verified);
      });

      it("ends only live sessions: an expired one is neither revoked nor counted", async () => {
        const u = aUser();
        await storage.users.create(u);
        const session = (hash: string, expiresAt: string) => ({
          id: randomUUID(),
          userId: u.id,
          secretHash: hash.repeat(64),
          source: "LOCAL" as const,
          mfa: false,
          mfaVerifiedUntil: null,
          sourceIp: null,
          createdAt: at("2026-01-01T00:00:00.000Z"),
          expiresAt: at(expiresAt),
          lastSeenAt: null,
          revokedAt: null,
        });
        await storage.sessions.create(session("b", "2026-01-01T01:00:00.000Z"));
        await storage.sessions.create(session("c", "2026-01-01T09:00:00.000Z"));
        expect(await storage.sessions.revokeForUser(u.id, at("2026-01-01T02:00:00.000Z"))).to.equal(1);
        expect((await storage.sessions.getByHash("b".repeat(64)))?.revokedAt).to.equal(null);
        expect((await storage.sessions.getByHash("c".repeat(64)))?.revokedAt).to.deep.equal(
          at("2026-01-01T02:00:00.000Z"),
        );
      });
    });

    describe("TOTP state", () => {
      it("stores a seed unconfirmed, and keeps it when the user is updated", async () => {
        const u = aUser();
        await storage.users.create(u);
        expect(await storage.totp.get(u.id)).to.deep.equal({
          userId: u.id,
          sealedSecret: null,
          confirmed: false,
          lastStep: null,
          failures: 0,
          blockedUntil: null,
        });
        await storage.totp.enroll(u.id, "v1.sealed");
        await storage.users.update({ ...u, displayName: "Renamed" });
        expect(await storage.totp.get(u.id)).to.deep.include({ sealedSecret: "v1.sealed", confirmed: false });
        expect(await storage.totp.get(randomUUID())).to.equal(null);
      });

      it("accepts each time step once and only moving forward, confirming enrolment", async () => {
        const u = aUser();
        await storage.users.create(u);
        await storage.totp.enroll(u.id, "v1.sealed");
        expect(await storage.totp.acceptStep(u.id, 100)).to.equal(true);
        expect(await storage.totp.acceptStep(u.id, 100)).to.equal(false);
        expect(await storage.totp.acceptStep(u.id, 99)).to.equal(false);
        expect(await storage.totp.get(u.id)).to.deep.include({ confirmed: true, lastStep: 100 });
        expect((await storage.users.get(u.id))?.mfaEnrolled).to.equal(true);
        const both = await Promise.all([storage.totp.acceptStep(u.id, 101), storage.totp.acceptStep(u.id, 101)]);
        expect(both.filter(Boolean)).to.have.length(1);
      });

      it("blocks at the limit of wrong codes and starts counting again; an accepted code clears the count", async () => {
        const u = aUser();
        await storage.users.create(u);
        await storage.totp.enroll(u.id, "v1.sealed");
        const until = at("2026-01-01T00:05:00.000Z");
        expect(await storage.totp.recordFailure(u.id, 3, until)).to.deep.include({ failures: 1, blockedUntil: null });
        await storage.totp.acceptStep(u.id, 5);
        for (let i = 0; i < 2; i++) await storage.totp.recordFailure(u.id, 3, until);
        expect(await storage.totp.recordFailure(u.id, 3, until)).to.deep.include({ failures: 0, blockedUntil: until });
      });
    });

    describe("audit trail", () => {
      const kindOf = `k-${randomUUID().slice(0, 8)}`;
      const chain: ChainFn = (head, events) => {
        let prev = head.hash;
        return events.map((e, i) => {
          const partial = { ...e, id: randomUUID(), sequence: head.sequence + i + 1 };
          const hash = eventHash(prev, partial);
          const record = { ...partial, prevHash: prev, hash };
          prev = hash;
          return record;
        });
      };
      const event = (i: number): AuditEventInput => ({
        time: at(`2026-03-01T00:00:0${i}.00${i}Z`),
        actorId: `actor-${i % 2}`,
        actorEmail: null,
        actorRoles: i % 2 ? ["ops"] : ["viewer", "ops"],
        tokenId: null,
        sourceIp: null,
        operation: "check",
        action: "read",
        resourceType: kindOf,
        resourceNamespace: "prod",
        resourceName: `n${i}`,
        subjectId: null,
        decision: i === 3 ? "DENY" : "ALLOW",
        reason: i === 3 ? "NO_MATCHING_RULE" : "ALLOWED",
        requestId: null,
        metadata: i === 0 ? { deep: { list: [1, "two"] } } : null,
      });

      it("searches newest first below a sequence, with every filter, and scans oldest first above one", async () => {
        const written = await storage.audit.append([0, 1, 2, 3, 4].map(event), chain);
        const seqs = (rs: Array<{ sequence: number }>) => rs.map((r) => r.sequence);
        const [s0, s1, s2, s3, s4] = seqs(written) as [number, number, number, number, number];
        expect(seqs(await storage.audit.searchBefore({ resourceType: kindOf }, null, 10))).to.deep.equal([
          s4,
          s3,
          s2,
          s1,
          s0,
        ]);
        expect(seqs(await storage.audit.searchBefore({ resourceType: kindOf }, s3, 2))).to.deep.equal([s2, s1]);
        expect(
          seqs(await storage.audit.searchBefore({ resourceType: kindOf, role: "viewer" }, null, 10)),
        ).to.deep.equal([s4, s2, s0]);
        expect(
          seqs(
            await storage.audit.searchBefore({ resourceType: kindOf, actorId: "actor-1", decision: "DENY" }, null, 10),
          ),
        ).to.deep.equal([s3]);
        expect(
          seqs(
            await storage.audit.searchBefore(
              { resourceType: kindOf, since: at("2026-03-01T00:00:01.001Z"), until: at("2026-03-01T00:00:03.003Z") },
              null,
              10,
            ),
          ),
        ).to.deep.equal([s2, s1]);
        expect(seqs(await storage.audit.scanAfter({ resourceType: kindOf }, s0, s3, 10))).to.deep.equal([s1, s2, s3]);
        expect(seqs(await storage.audit.scanAfter({ resourceType: kindOf, role: "ops" }, 0, s4, 2))).to.deep.equal([
          s0,
          s1,
        ]);
        const [first] = await storage.audit.scanAfter({ resourceName: "n0", resourceType: kindOf }, 0, s4, 1);
        expect(first).to.deep.equal(written[0]);
      });

      it("reads the decisions of a range of sequences oldest first, as written, and finds the first event of a time", async () => {
        const written = await storage.audit.append(
          [5, 6, 7].map((i) => ({
            ...event(i),
            time: at(`2027-01-0${i}T10:00:00.123Z`),
            metadata: { n: i, labels: { team: "pay" } },
          })),
          chain,
        );
        const [s5, s6, s7] = written.map((r) => r.sequence) as [number, number, number];
        const decision = (r: AuditEventRecord) => ({
          sequence: r.sequence,
          time: r.time,
          actorId: r.actorId,
          tokenId: r.tokenId,
          sourceIp: r.sourceIp,
          operation: r.operation,
          action: r.action,
          resourceType: r.resourceType,
          resourceNamespace: r.resourceNamespace,
          resourceName: r.resourceName,
          subjectId: r.subjectId,
          decision: r.decision,
          metadata: r.metadata,
        });
        expect(await storage.audit.readDecisions(s5, s7, 10)).to.deep.equal(written.map(decision));
        expect(await storage.audit.readDecisions(s5, s7, 2)).to.deep.equal(written.slice(0, 2).map(decision));
        expect(await storage.audit.readDecisions(s7 + 1, s7 + 5, 10)).to.deep.equal([]);
        expect(await storage.audit.firstSequenceSince(at("2027-01-06T00:00:00.000Z"))).to.equal(s6);
        expect(await storage.audit.firstSequenceSince(at("2027-01-06T10:00:00.123Z"))).to.equal(s6);
        expect(await storage.audit.firstSequenceSince(at("2030-01-01T00:00:00.000Z"))).to.equal(null);
      });
    });

    describe("transactions", () => {
      it("rolls back every write when the work throws", async () => {
        const u = aUser();
        const role = aRole();
        await rejectsWith(
          storage.transaction(async (repos) => {
            await repos.users.create(u);
            await repos.roles.create(role);
            throw new DomainError("CONFLICT", "changed my mind");
          }),
          "CONFLICT",
        );
        expect(await storage.users.get(u.id)).to.equal(null);
        expect(await storage.roles.get(role.name)).to.equal(null);
      });

      it("keeps concurrent transactions apart: failed ones leave nothing, others keep everything", async () => {
        const users = Array.from({ length: 20 }, () => aUser());
        const results = await Promise.allSettled(
          users.map((u, i) =>
            storage.transaction(async (repos) => {
              await repos.users.create(u);
              await new Promise((r) => setTimeout(r, 1));
              if (i % 2 === 1) throw new DomainError("CONFLICT", "odd one out");
            }),
          ),
        );
        expect(results.filter((r) => r.status === "fulfilled")).to.have.length(10);
        const stored = await storage.users.getMany(users.map((u) => u.id));
        expect(stored.map((u) => u.id).sort()).to.deep.equal(
          users
            .filter((_, i) => i % 2 === 0)
            .map((u) => u.id)
            .sort(),
        );
      });
    });
  });
}
