// `portcullis plan` and `portcullis apply` end to end: a folder of YAML
// documents planned (object diffs, who gains and loses what, replayed flips,
// --exit-code for CI) and applied.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { CliHome, type CliResult } from "../support/cli";
import { databaseKinds } from "../support/databases";
import { addRole, addUser, type TestUser } from "../support/principals";
import { gql, serverForSuite, type TestServer } from "../support/server";

function ok(result: CliResult): CliResult {
  expect(result.code, `exit code; stderr: ${result.stderr}`).to.equal(0);
  return result;
}

const POLICY_BEFORE =
  'kind: policy\nname: web-ops\nrules:\n  - resource: app\n    namespace: "web/**"\n    capabilities: [read, restart]\n';
const ROLE = "kind: role\nname: web-operator\npolicies: [web-ops]\n";
// The bundle: web-ops loses restart and gains scale; a new policy and role appear.
const POLICY_AFTER =
  'kind: policy\nname: web-ops\nrules:\n  - resource: app\n    namespace: "web/**"\n    capabilities: [read, scale]\n';
const NEW_DOCS =
  'kind: policy\nname: web-logs\nrules:\n  - resource: app\n    namespace: "web/**"\n    capabilities: [logs]\n---\nkind: role\nname: web-logs-reader\npolicies: [web-logs]\n';

/** `portcullis plan -o json`: the fields these tests read. */
type PlanJson = {
  applied: boolean;
  changes: Array<{ kind: string; name: string; action: string }>;
  summary: Record<string, number>;
};

describe("portcullis plan and apply", function () {
  this.timeout(60_000);
  let server: TestServer;
  serverForSuite(databaseKinds()[0], (s) => (server = s));
  let admin: CliHome;
  let operator: TestUser;
  let dir: string;

  before(async () => {
    await addRole(server, POLICY_BEFORE, ROLE);
    operator = await addUser(server, ["web-operator"]);
    admin = new CliHome({ PORTCULLIS_URL: server.url, PORTCULLIS_TOKEN: server.adminToken });
    dir = join(admin.dir, "policies");
    mkdirSync(join(dir, "roles"), { recursive: true });
    writeFileSync(join(dir, "web-ops.yaml"), POLICY_AFTER);
    writeFileSync(join(dir, "roles", "web-operator.yaml"), ROLE);
    writeFileSync(join(dir, "web-logs.yml"), NEW_DOCS);
    writeFileSync(join(dir, "README.md"), "not a document");
    // A decision the bundle will flip: the operator restarts web/api today.
    const check = await gql<{ can: { allowed: boolean } }>(
      server.url,
      `query($e: String!) { can(action: "restart", resource: { type: "app", namespace: "web", name: "api" }, subject: { email: $e }) { allowed } }`,
      { token: server.adminToken, variables: { e: operator.user.email } },
    );
    expect(check.data?.can.allowed).to.equal(true);
  });
  after(() => admin.remove());

  it("plan prints the object changes with diffs, who gains and loses what, and the replay's flips; --exit-code exits 2", async () => {
    const planned = ok(await admin.run(["plan", "-f", dir]));
    const out = planned.stdout;
    expect(out).to.match(
      /^Plan \(policy-state version \d+\): 2 to create, 1 to update, 0 to delete; 1 user\(s\) gain access, 1 lose access\.\n/,
    );
    expect(out)
      .to.contain("+ policy web-logs (create)")
      .and.contain("+ role web-logs-reader (create)")
      .and.contain("~ policy web-ops (update)");
    expect(out)
      .to.match(/^ {6}-.*restart/m)
      .and.match(/^ {6}\+.*scale/m);
    expect(out).to.contain(`Who gains and loses what:\n  ${operator.user.email}\n`);
    expect(out)
      .to.match(/\+ allow app\/web\/\*\*\/\*: .*scale/)
      .and.match(/- allow app\/web\/\*\*\/\*: .*restart/);
    expect(out).to.match(
      /Audit replay since \S+: \d+ decision\(s\) decided again; 1 would flip ALLOW→DENY, 0 DENY→ALLOW\./,
    );
    expect(out).to.match(
      new RegExp(
        `now denied:\\n +#\\d+ \\S+ admin@portcullis.local check restart app/web/api → now DENY \\(NO_MATCHING_RULE\\)`,
      ),
    );
    expect(out).to.not.contain("\u001b["); // no colour into a pipe

    const ci = await admin.run([
      "plan",
      "-f",
      join(dir, "web-ops.yaml"),
      "-f",
      join(dir, "roles"),
      "--exit-code",
      "--no-replay",
    ]);
    expect(ci.code).to.equal(2);
    expect(ci.stdout).to.contain("0 to create, 1 to update").and.not.contain("Audit replay");
    const json = JSON.parse(ok(await admin.run(["plan", "-f", dir, "-o", "json"])).stdout) as PlanJson;
    expect(json.applied).to.equal(false);
    expect(json.changes.map((c) => `${c.action} ${c.kind} ${c.name}`).sort()).to.deep.equal([
      "create policy web-logs",
      "create role web-logs-reader",
      "update policy web-ops",
    ]);
    expect(json.summary).to.deep.equal({ created: 2, updated: 1, deleted: 0, usersGaining: 1, usersLosing: 1 });
  });

  it("a bad document is refused naming its file (exit 2) and changes nothing; a bad --prune kind is a usage error", async () => {
    const bad = join(admin.dir, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, "a.yaml"), ROLE);
    writeFileSync(
      join(bad, "b.yaml"),
      "kind: policy\nname: broken\nrules:\n  - resource: app\n    capabilities: [sumbit]\n",
    );
    const refused = await admin.run(["plan", "-f", bad]);
    expect([refused.code, refused.stdout]).to.deep.equal([2, ""]);
    expect(refused.stderr)
      .to.match(/^portcullis: invalid: /)
      .and.contain("b.yaml");
    const syntax = join(admin.dir, "syntax.yaml");
    writeFileSync(syntax, "kind: policy\nname: [unclosed\n");
    const unparsable = await admin.run(["plan", "-f", syntax]);
    expect(unparsable.code).to.equal(2);
    expect(unparsable.stderr).to.contain(`${syntax}:`);
    expect((await admin.run(["plan", "-f", dir, "--prune", "user"])).code).to.equal(2);
    expect((await admin.run(["plan", "-f", join(admin.dir, "nowhere")])).code).to.equal(2);
  });

  it("apply asks before applying (refuses without --yes off a terminal), applies a directory with --yes, and a second plan is empty", async () => {
    const unconfirmed = await admin.run(["apply", "-f", dir]);
    expect(unconfirmed.code).to.equal(2);
    expect(unconfirmed.stderr).to.contain("~ policy web-ops (update)").and.contain("pass --yes");
    expect(
      (await gql(server.url, '{ role(name: "web-logs-reader") { name } }', { token: server.adminToken })).data?.role,
    ).to.equal(null);

    const applied = ok(await admin.run(["apply", "-f", dir, "--yes"]));
    expect(applied.stdout).to.equal("Applied: 2 created, 1 updated, 0 deleted.\n");
    expect(applied.stderr).to.contain("~ policy web-ops (update)");
    const can = await admin.run(["can", "restart", "app/web/api", "--user", operator.user.email]);
    expect(can.code).to.equal(1);
    ok(await admin.run(["can", "scale", "app/web/api", "--user", operator.user.email]));

    const again = ok(await admin.run(["plan", "-f", dir, "--exit-code"]));
    expect(again.stdout).to.contain("No changes");
    const noop = ok(await admin.run(["apply", "-f", dir, "--yes"]));
    expect(noop.stdout).to.equal("Nothing to apply.\n");
  });

  it("apply --prune deletes the policies and roles the documents do not mention", async () => {
    await addRole(
      server,
      "kind: policy\nname: stray\nrules: []\n",
      "kind: role\nname: stray-role\npolicies: [stray]\n",
    );
    const plan = ok(await admin.run(["plan", "-f", dir, "--prune", "--no-replay", "-o", "json"]));
    const deletions = (JSON.parse(plan.stdout) as PlanJson).changes
      .filter((c) => c.action === "delete")
      .map((c) => `${c.kind} ${c.name}`);
    expect(deletions).to.include.members(["policy stray", "role stray-role"]);
    ok(await admin.run(["apply", "-f", dir, "--prune", "--yes"]));
    expect((await admin.run(["role", "describe", "stray-role"])).code).to.equal(1);
  });
});
