// `portcullis request`, `request list`, `request cancel` and `review` end to end.
// Uses the built-in roles: a deployer may request ops (one approval); holders of
// ops and admin review requests for ops.
import { expect } from "chai";
import type { AccessRequestView } from "../support/access-requests";
import { CliHome, type CliResult } from "../support/cli";
import { databaseKinds } from "../support/databases";
import { addUser, type TestUser } from "../support/principals";
import { gql, serverForSuite, type TestServer } from "../support/server";

function ok(result: CliResult): CliResult {
  expect(result.code, `exit code; stderr: ${result.stderr}`).to.equal(0);
  return result;
}

const idOf = (result: CliResult) => /^Request (\S+) is /m.exec(result.stderr)![1];

describe("portcullis request and review", function () {
  this.timeout(60_000);
  let server: TestServer;
  serverForSuite(databaseKinds()[0], (s) => (server = s));
  let admin: CliHome;
  let requester: CliHome;
  let deployer: TestUser;

  before(async () => {
    deployer = await addUser(server, ["deployer"]);
    admin = new CliHome({ PORTCULLIS_URL: server.url, PORTCULLIS_TOKEN: server.adminToken });
    requester = new CliHome({ PORTCULLIS_URL: server.url, PORTCULLIS_TOKEN: deployer.token });
  });
  after(() => {
    admin.remove();
    requester.remove();
  });

  it("request asks for a role with a reason; a reviewer approves it and a time-bound grant follows", async () => {
    const asked = ok(await requester.run(["request", "ops", "--reason", "INC-1234: restart prod web", "--ttl", "1h"]));
    expect(asked.stdout)
      .to.contain(deployer.user.email)
      .and.contain("ops")
      .and.contain("PENDING")
      .and.contain("0/1 approve");
    expect(asked.stderr).to.match(
      /^Request \S+ is PENDING; a reviewer approves it with: portcullis review \S+ --approve\.\n$/,
    );
    const id = idOf(asked);

    const mine = JSON.parse(ok(await requester.run(["request", "list", "-o", "json"])).stdout) as AccessRequestView[];
    expect(mine.find((r) => r.id === id)).to.deep.include({
      status: "PENDING",
      reason: "INC-1234: restart prod web",
      ttlSeconds: 3600,
      approvalsRequired: 1,
    });
    const pending = JSON.parse(
      ok(await admin.run(["request", "list", "--status", "pending", "-o", "json"])).stdout,
    ) as Array<{ id: string }>;
    expect(pending.map((r) => r.id)).to.include(id);
    expect(ok(await admin.run(["request", "list"])).stdout)
      .to.contain(id)
      .and.contain("INC-1234");

    const reviewed = ok(await admin.run(["review", id, "--approve", "--comment", "ok for INC-1234", "-o", "json"]));
    const approved = JSON.parse(reviewed.stdout) as AccessRequestView;
    expect(approved).to.deep.include({ id, status: "APPROVED" });
    expect(approved.reviews).to.deep.equal([
      {
        reviewer: { email: "admin@portcullis.local" },
        approve: true,
        comment: "ok for INC-1234",
        createdAt: approved.reviews[0].createdAt,
      },
    ]);
    expect(approved.grants).to.have.length(1);
    expect(Date.parse(approved.grants[0].expiresAt!) - Date.now()).to.be.within(3_500_000, 3_600_000);
    expect(reviewed.stderr).to.equal(`Request ${id} is now APPROVED.\n`);
    const whoami = JSON.parse(ok(await requester.run(["whoami", "-o", "json"])).stdout) as {
      grants: Array<{ role: { name: string } }>;
    };
    const roles = whoami.grants.map((g) => g.role.name);
    expect(roles).to.include("ops");
  });

  it("a reviewer denies with a comment; the requester cancels a pending request; a decided one cannot be cancelled (exit 1)", async () => {
    const denied = idOf(ok(await requester.run(["request", "ops", "--reason", "just curious"])));
    const review = ok(await admin.run(["review", denied, "--deny", "--comment", "use the runbook"]));
    expect(review.stdout).to.contain("DENIED");
    expect(review.stderr).to.equal(`Request ${denied} is now DENIED.\n`);

    const cancelled = idOf(ok(await requester.run(["request", "ops", "--reason", "changed my mind"])));
    expect(
      (JSON.parse(ok(await requester.run(["request", "cancel", cancelled, "-o", "json"])).stdout) as AccessRequestView)
        .status,
    ).to.equal("CANCELLED");
    const again = await requester.run(["request", "cancel", denied]);
    expect([again.code, again.stdout]).to.deep.equal([1, ""]);
    expect(again.stderr).to.match(/^portcullis: conflict: /);
  });

  it("refuses a request without roles or a reason (exit 2), and a review by someone who may not review (exit 1)", async () => {
    const noReason = await requester.run(["request", "ops"]);
    expect([noReason.code, noReason.stderr]).to.deep.equal([
      2,
      "portcullis: request: --reason is required (reviewers read it)\n",
    ]);
    expect((await requester.run(["request", "--reason", "x"])).code).to.equal(2);
    const id = idOf(ok(await requester.run(["request", "ops", "--reason", "self-review attempt"])));
    const self = await requester.run(["review", id, "--approve"]);
    expect(self.code).to.equal(1);
    expect(self.stderr).to.match(/^portcullis: denied: /);
    const still = await gql<{ accessRequests: Array<{ id: string }> }>(
      server.url,
      "query($s: AccessRequestStatus) { accessRequests(status: $s) { id } }",
      {
        token: server.adminToken,
        variables: { s: "PENDING" },
      },
    );
    expect(still.data?.accessRequests.map((r) => r.id)).to.include(id);
  });
});
