// Two instances on one MariaDB database: access-request reviews and expiry sweeps
// on both at once still decide each request once (the policy-state row lock).
import { expect } from "chai";
import { generateSecret, TOKEN_PREFIX } from "../../../src/domain/credentials/secret-format";
import { addAccessRequestRoles, call, requestOk, REVIEW, TestClock } from "../../support/access-requests";
import { databaseKinds, type TestDatabase } from "../../support/databases";
import { addUser } from "../../support/principals";
import { startServer, type TestServer } from "../../support/server";

const mysql = databaseKinds().find((kind) => kind.name === "mysql");

(mysql ? describe : describe.skip)("access requests on two instances sharing MariaDB", function () {
  this.timeout(120_000);
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  const clock = new TestClock();
  const env = { PORTCULLIS_BOOTSTRAP_TOKEN: generateSecret(TOKEN_PREFIX) };

  before(async () => {
    db = await mysql!.create();
    a = await startServer(mysql!, env, db, { now: clock.now });
    b = await startServer(mysql!, env, db, { now: clock.now });
    await addAccessRequestRoles(a);
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await db?.drop();
  });

  /** Users made on `a` (storage and a's compiled state); `b` catches up as another instance would. */
  async function users(...roles: string[][]) {
    const made = [];
    for (const r of roles) made.push(await addUser(a, r));
    await a.app.storage.transaction((repos) => repos.policyState.lockAndBump());
    await b.app.services.writer.catchUp();
    return made;
  }

  it("grants once when two reviewers approve on different instances at the same moment", async () => {
    for (let round = 0; round < 5; round++) {
      const [alice, rita, ravi] = await users(["requester"], ["reviewer"], ["reviewer"]);
      const r = await requestOk(a, alice.token, { roles: ["on-call"], scope: `round-${round}` });
      const answers = await Promise.all([
        call(a, rita.token, REVIEW, { id: r.id, approve: true }),
        call(b, ravi.token, REVIEW, { id: r.id, approve: true }),
      ]);
      expect(
        answers.map((x) => x.errors?.[0]?.extensions?.code ?? "OK").sort(),
        `round ${round}: ${JSON.stringify(answers.map((x) => x.errors))}`,
      ).to.deep.equal(["CONFLICT", "OK"]);
      expect((await a.app.storage.grants.forAccessRequests([r.id])).get(r.id)).to.have.length(1);
    }
  });

  it("expires each due request once when both instances sweep at the same moment", async () => {
    const [alice] = await users(["requester"]);
    const made = [];
    for (const scope of ["s1", "s2", "s3"]) made.push(await requestOk(b, alice.token, { roles: ["on-call"], scope }));
    clock.advance(24 * 3600 + 1);
    const head = (await a.app.storage.audit.head()).sequence;
    const counts = await Promise.all([
      a.app.services.accessRequests.expireDue(),
      b.app.services.accessRequests.expireDue(),
    ]);
    expect(counts[0] + counts[1]).to.equal(3);
    const after = (await a.app.storage.audit.head()).sequence;
    const expired = (await a.app.storage.audit.range(head + 1, after))
      .filter((e) => e.operation === "accessRequest.expired")
      .map((e) => e.resourceName);
    expect(expired.sort()).to.deep.equal(made.map((r) => r.id).sort());
  });
});
