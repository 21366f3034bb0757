// The access-request repository keeps the contract written on its interface
// (src/domain/ports/storage.port.ts), on every database.
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import type { AccessRequestRecord } from "../../../src/domain/access-requests/access-request.model";
import { DomainError } from "../../../src/domain/errors";
import { TypeormStorage } from "../../../src/storage/typeorm-storage";
import { databaseKinds, type TestDatabase } from "../../support/databases";
import { aGrant, aRole, aUser, at } from "./fixtures";

function aRequest(requesterId: string, roles: string[], patch: Partial<AccessRequestRecord> = {}): AccessRequestRecord {
  return {
    id: randomUUID(),
    requesterId,
    roles,
    reason: "hotfix",
    scope: "prod",
    status: "PENDING",
    ttlSeconds: 3600,
    approvalsRequired: 2,
    denialsRequired: 1,
    createdAt: at("2026-03-01T10:00:00.123Z"),
    expiresAt: at("2026-03-02T10:00:00.123Z"),
    decidedAt: null,
    reviews: [],
    ...patch,
  };
}

for (const kind of databaseKinds()) {
  describe(`access-request storage on ${kind.name}`, function () {
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

    async function fixture() {
      const [user, reviewer] = [aUser(), aUser()];
      await storage.users.create(user);
      await storage.users.create(reviewer);
      const [a, b] = [aRole(), aRole()];
      await storage.roles.create(a);
      await storage.roles.create(b);
      return { user, reviewer, a, b };
    }

    it("stores a request with its roles in request order and reads it back with its reviews, oldest first", async () => {
      const { user, reviewer, a, b } = await fixture();
      const r = aRequest(user.id, [b.name, a.name.toUpperCase()]);
      await storage.accessRequests.create(r);
      const second = aUser();
      await storage.users.create(second);
      await storage.accessRequests.addReview({
        id: randomUUID(),
        requestId: r.id,
        reviewerId: second.id,
        approve: false,
        comment: null,
        createdAt: at("2026-03-01T11:00:00.000Z"),
      });
      await storage.accessRequests.addReview({
        id: randomUUID(),
        requestId: r.id,
        reviewerId: reviewer.id,
        approve: true,
        comment: "ok",
        createdAt: at("2026-03-01T10:30:00.000Z"),
      });
      const read = await storage.accessRequests.get(r.id);
      expect({ ...read, reviews: [] }).to.deep.equal({ ...r, roles: [b.name, a.name] });
      expect(read!.reviews.map((v) => [v.reviewerId, v.approve, v.comment])).to.deep.equal([
        [reviewer.id, true, "ok"],
        [second.id, false, null],
      ]);
      expect(await storage.accessRequests.get(randomUUID())).to.equal(null);
    });

    it("refuses a second review by the same reviewer with CONFLICT", async () => {
      const { user, reviewer, a } = await fixture();
      const r = aRequest(user.id, [a.name]);
      await storage.accessRequests.create(r);
      const review = {
        requestId: r.id,
        reviewerId: reviewer.id,
        approve: true,
        comment: null,
        createdAt: at("2026-03-01T10:30:00.000Z"),
      };
      await storage.accessRequests.addReview({ id: randomUUID(), ...review });
      const err = await storage.accessRequests
        .addReview({ id: randomUUID(), ...review, approve: false })
        .catch((e: unknown) => e);
      expect(err).to.be.instanceOf(DomainError);
      expect((err as DomainError).code).to.equal("CONFLICT");
    });

    it("lists newest first, by requester and by stored status", async () => {
      const { user, a } = await fixture();
      const older = aRequest(user.id, [a.name], { createdAt: at("2026-03-01T09:00:00.000Z") });
      const newer = aRequest(user.id, [a.name], {
        createdAt: at("2026-03-01T12:00:00.000Z"),
        status: "DENIED",
        expiresAt: null,
      });
      await storage.accessRequests.create(older);
      await storage.accessRequests.create(newer);
      expect((await storage.accessRequests.list({ requesterId: user.id })).map((r) => r.id)).to.deep.equal([
        newer.id,
        older.id,
      ]);
      expect(
        (await storage.accessRequests.list({ requesterId: user.id, statuses: ["PENDING"] })).map((r) => r.id),
      ).to.deep.equal([older.id]);
      expect(await storage.accessRequests.list({ requesterId: user.id, statuses: [] })).to.deep.equal([]);
    });

    it("finds pending requests due at a time, oldest deadline first, and updates their state", async () => {
      const { user, a } = await fixture();
      const due = aRequest(user.id, [a.name], { expiresAt: at("2020-01-01T00:00:01.000Z") });
      const dueLater = aRequest(user.id, [a.name], { expiresAt: at("2020-01-01T00:00:02.000Z") });
      const notYet = aRequest(user.id, [a.name], { expiresAt: at("2020-01-01T00:00:03.000Z") });
      for (const r of [dueLater, notYet, due]) await storage.accessRequests.create(r);
      const found = await storage.accessRequests.pendingDue(at("2020-01-01T00:00:02.000Z"), 10);
      expect(found.filter((id) => [due.id, dueLater.id, notYet.id].includes(id))).to.deep.equal([due.id, dueLater.id]);
      await storage.accessRequests.updateState(due.id, {
        status: "EXPIRED",
        expiresAt: due.expiresAt,
        decidedAt: at("2020-01-01T00:00:05.000Z"),
      });
      expect(await storage.accessRequests.pendingDue(at("2020-01-01T00:00:02.000Z"), 10)).to.not.include(due.id);
      expect(await storage.accessRequests.get(due.id)).to.deep.include({
        status: "EXPIRED",
        decidedAt: at("2020-01-01T00:00:05.000Z"),
      });
    });

    it("finds pending requests for a role ignoring case, and the grants each request created", async () => {
      const { user, a, b } = await fixture();
      const r = aRequest(user.id, [a.name, b.name]);
      const other = aRequest(user.id, [b.name]);
      await storage.accessRequests.create(r);
      await storage.accessRequests.create(other);
      expect(await storage.accessRequests.pendingForRole(a.name.toUpperCase())).to.deep.equal([r.id]);
      const g = aGrant(a.name, { userId: user.id, source: "ACCESS_REQUEST", accessRequestId: r.id });
      await storage.grants.create(g);
      const byRequest = await storage.grants.forAccessRequests([r.id, other.id]);
      expect(byRequest.get(r.id)!.map((x) => x.id)).to.deep.equal([g.id]);
      expect(byRequest.get(other.id)).to.deep.equal([]);
    });
  });
}
