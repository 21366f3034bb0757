// The `portcullis` command line end to end: a real server on SQLite, the built
// CLI run as a child process for each command, stdout, stderr and exit codes checked.
import { readFileSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { expect } from "chai";
import { CliHome, type CliResult } from "../support/cli";
import { databaseKinds } from "../support/databases";
import { addGrantTestRoles } from "../support/grant-roles";
import { addUser, type TestUser } from "../support/principals";
import { gql, serverForSuite, type TestServer } from "../support/server";

const SECRET = /^ptc_[0-9A-Za-z]{46}\n$/;

interface Whoami {
  email: string;
  credential: { id: string; from: string };
}
interface TokenRow {
  id: string;
  name: string;
  hint: string;
  roles: Array<{ name: string }>;
  boundCidrs: string[];
  expiresAt: string;
}
interface MeData {
  me: { email: string };
}

/** The command's JSON output, read as the shape the test expects of it. */
function jsonOf<T>(text: string): T {
  return JSON.parse(text) as T;
}

function ok(result: CliResult): CliResult {
  expect(result.code, `exit code; stderr: ${result.stderr}`).to.equal(0);
  return result;
}

describe("portcullis command line", function () {
  this.timeout(60_000);
  let server: TestServer;
  serverForSuite(databaseKinds()[0], (s) => (server = s));
  let admin: CliHome;
  let viewer: TestUser;
  let nobody: TestUser;

  before(async () => {
    await addGrantTestRoles(server);
    viewer = await addUser(server, ["viewer"]);
    nobody = await addUser(server, []);
    admin = new CliHome({ PORTCULLIS_URL: server.url, PORTCULLIS_TOKEN: server.adminToken });
  });
  after(() => admin.remove());

  describe("help, usage and completion", () => {
    it("--help lists every command and the exit codes; each command's help has an example", async () => {
      const { stdout } = ok(await admin.run(["--help"]));
      for (const command of [
        "login",
        "logout",
        "whoami",
        "context",
        "can",
        "effective",
        "who-can",
        "token",
        "user",
        "role",
        "grant",
        "policy",
        "type",
        "plan",
        "apply",
        "audit",
        "request",
        "review",
        "completion",
      ]) {
        expect(stdout).to.match(new RegExp(`^  ${command}\\b`, "m"));
      }
      expect(stdout).to.contain(
        "Exit codes: 0 ok, 1 denied or not found, 2 usage, 3 authentication, 4 server unreachable",
      );
      for (const command of [
        ["token"],
        ["token", "create"],
        ["user"],
        ["role"],
        ["grant"],
        ["policy"],
        ["type"],
        ["context"],
        ["audit"],
        ["audit", "tail"],
        ["can"],
        ["apply"],
        ["request"],
        ["review"],
        ["completion"],
      ]) {
        expect(ok(await admin.run([...command, "--help"])).stdout, command.join(" ")).to.match(
          /Examples:\n {2}\$ .*portcullis /,
        );
      }
    });

    it("exits 2 on an unknown command, a missing option, a bad duration or resource, naming what is wrong", async () => {
      const cases: Array<[string[], RegExp]> = [
        [["tokn", "list"], /unknown command 'tokn'/],
        [["token", "create"], /required option '--name <name>' not specified/],
        [["token", "create", "--name", "x", "--ttl", "5x"], /--ttl <duration>.*invalid duration '5x'/],
        [["can", "read", "/prod/x"], /is not TYPE\/NAMESPACE\/NAME/],
        [["can", "read", "job/prod/x", "--label", "tier"], /'tier' is not key=value/],
        [["whoami", "-o", "xml"], /'xml' is invalid/],
        [["review", "some-id"], /give exactly one of --approve or --deny/],
        [["grant", "add", "--role", "viewer"], /exactly one of --user EMAIL or --group GROUP/],
        [["--token", "x", "whoami"], /unknown option '--token'/],
      ];
      for (const [args, message] of cases) {
        const { code, stderr, stdout } = await admin.run(args);
        expect(code, args.join(" ")).to.equal(2);
        expect(stderr, args.join(" ")).to.match(message);
        expect(stdout).to.equal("");
      }
    });

    it("prints completion scripts for bash, zsh and fish from the command tree", async () => {
      const bash = ok(await admin.run(["completion", "bash"])).stdout;
      expect(bash)
        .to.contain("complete -F _portcullis portcullis")
        .and.contain('"token create")')
        .and.contain("--break-glass");
      execFileSync("bash", ["-n"], { input: bash });
      expect(ok(await admin.run(["completion", "zsh"])).stdout).to.contain("bashcompinit");
      const fish = ok(await admin.run(["completion", "fish"])).stdout;
      expect(fish).to.contain("complete -c portcullis -n '__fish_seen_subcommand_from audit' -a tail");
      expect((await admin.run(["completion", "tcsh"])).code).to.equal(2);
    });
  });

  describe("credentials and contexts", () => {
    it("login --with-token keeps the secret in a 0600 file; contexts list, switch and name servers", async () => {
      const home = new CliHome();
      try {
        const first = ok(
          await home.run(["login", "--with-token", "--server", server.url], { stdin: server.adminToken + "\n" }),
        );
        expect(first.stdout).to.equal("");
        expect(first.stderr)
          .to.contain("as admin@portcullis.local")
          .and.contain("context 'default'")
          .and.not.contain(server.adminToken);
        expect(statSync(home.configFile).mode & 0o777).to.equal(0o600);
        expect(
          jsonOf<{ contexts: Record<string, unknown> }>(readFileSync(home.configFile, "utf8")).contexts.default,
        ).to.deep.equal({
          server: server.url,
          secret: server.adminToken,
        });

        ok(
          await home.run(["login", "--with-token", "--server", server.url, "--context", "second"], {
            stdin: viewer.token,
          }),
        );
        const list = jsonOf<Array<{ name: string; current: boolean }>>(
          ok(await home.run(["context", "list", "-o", "json"])).stdout,
        );
        expect(list.map((c) => [c.name, c.current])).to.deep.equal([
          ["default", false],
          ["second", true],
        ]);
        expect(jsonOf<Whoami>(ok(await home.run(["whoami", "-o", "json"])).stdout).email).to.equal(viewer.user.email);
        expect(
          jsonOf<Whoami>(ok(await home.run(["whoami", "-o", "json", "--context", "default"])).stdout).email,
        ).to.equal("admin@portcullis.local");
        // PORTCULLIS_TOKEN wins over the current context; a context named with --context wins over PORTCULLIS_TOKEN.
        const env = { PORTCULLIS_TOKEN: nobody.token };
        expect(jsonOf<Whoami>(ok(await home.run(["whoami", "-o", "json"], { env })).stdout).email).to.equal(
          nobody.user.email,
        );
        const named = jsonOf<Whoami>(
          ok(await home.run(["whoami", "-o", "json", "--context", "second"], { env })).stdout,
        );
        expect([named.email, named.credential.from]).to.deep.equal([viewer.user.email, "context 'second'"]);
        ok(await home.run(["context", "use", "default"]));
        const whoami = ok(await home.run(["whoami"])).stdout;
        expect(whoami)
          .to.contain("admin@portcullis.local")
          .and.match(/token \(break-glass\) [0-9a-f-]+ from context 'default'/)
          .and.not.contain(server.adminToken);

        expect((await home.run(["context", "use", "nope"])).code).to.equal(1);
        const unknown = await home.run(["whoami", "--context", "nope"]);
        expect([unknown.code, unknown.stderr]).to.deep.equal([
          2,
          "portcullis: --context: no context named 'nope' (portcullis context list shows them)\n",
        ]);
        const notSecret = await home.run(["login", "--with-token", "--server", server.url], { stdin: "hunter2" });
        expect(notSecret.code).to.equal(2);
        expect(notSecret.stderr).to.contain("stdin does not hold a portcullis secret").and.not.contain("hunter2");
        ok(await home.run(["logout"]));
        expect((await home.run(["whoami"])).code).to.equal(3);
      } finally {
        home.remove();
      }
    });

    it("PORTCULLIS_TOKEN and PORTCULLIS_URL work without a configuration file", async () => {
      const me = jsonOf<Whoami>(ok(await admin.run(["whoami", "-o", "json"])).stdout);
      expect(me).to.deep.include({ email: "admin@portcullis.local", status: "ACTIVE" });
      expect(me.credential).to.deep.include({
        kind: "TOKEN",
        from: "PORTCULLIS_TOKEN",
        expiresAt: null,
        mfa: false,
        mfaVerifiedUntil: null,
        sessionSource: null,
        breakGlass: true,
      });
      expect(me.credential.id).to.be.a("string").and.not.match(/^ptc_/);
    });

    it("exits 3 without a credential or with a bad one, and 4 when the server cannot be reached", async () => {
      const bare = new CliHome({ PORTCULLIS_URL: server.url });
      try {
        const none = await bare.run(["user", "list"]);
        expect([none.code, none.stdout]).to.deep.equal([3, ""]);
        expect(none.stderr).to.match(/not logged in to .*: run portcullis login, or set PORTCULLIS_TOKEN/);
        const revoked = await bare.run(["whoami"], { env: { PORTCULLIS_TOKEN: "ptc_" + "A".repeat(46) } });
        expect(revoked.code).to.equal(3);
        expect(revoked.stderr).to.match(/^portcullis: not authenticated: /);
        const away = await bare.run(["whoami", "--server", "http://127.0.0.1:9"], {
          env: { PORTCULLIS_TOKEN: server.adminToken },
        });
        expect(away.code).to.equal(4);
        expect(away.stderr).to.contain("cannot reach http://127.0.0.1:9");
      } finally {
        bare.remove();
      }
    });
  });

  describe("decisions", () => {
    it("can exits 0 when allowed and 1 when denied; --explain prints the explanation and the deciding rule", async () => {
      const allowed = ok(await admin.run(["can", "submit", "job/prod/web/api", "--explain"]));
      expect(allowed.stdout)
        .to.match(/^allowed \(ALLOWED\)\n/)
        .and.match(/decided by: role admin, policy admin-all rule \d+/);
      const denied = await admin.run(["can", "create", "role/system/x", "--user", viewer.user.email, "--explain"]);
      expect(denied.code).to.equal(1);
      expect(denied.stdout).to.match(/^denied \(NO_MATCHING_RULE\)\n {2}\S/);
      expect(denied.stderr).to.equal("");
      const json = await admin.run(["can", "create", "role/system/x", "--user", viewer.user.email, "-o", "json"]);
      expect(json.code).to.equal(1);
      expect(JSON.parse(json.stdout)).to.deep.include({ allowed: false, reason: "NO_MATCHING_RULE" });
      expect((await admin.run(["can", "submit", "job/prod/x", "--user", "ghost@example.com"])).code).to.equal(1);
    });

    it("effective and who-can print tables, or JSON", async () => {
      const grantee = await addUser(server, ["prod-job-admin"]);
      const rows = jsonOf<Array<{ via: Record<string, unknown> }>>(
        ok(await admin.run(["effective", "--user", grantee.user.email, "--type", "job", "-o", "json"])).stdout,
      );
      expect(rows).to.have.length(1);
      expect(rows[0]).to.deep.include({ effect: "ALLOW", resourceType: "job", namespace: "prod/**" });
      expect(rows[0].via).to.deep.include({ role: "prod-job-admin", policy: "prod-jobs" });
      const table = ok(await admin.run(["effective", "--user", grantee.user.email])).stdout;
      expect(table)
        .to.match(/EFFECT.*RESOURCE.*CAPABILITIES/)
        .and.contain("job/prod/**/*")
        .and.contain("role prod-job-admin, policy prod-jobs rule 0");
      const who = ok(await admin.run(["who-can", "submit", "job/prod/web/api"])).stdout;
      expect(who)
        .to.contain(grantee.user.email)
        .and.contain("admin@portcullis.local")
        .and.not.contain(viewer.user.email);
    });

    it("a call the credential may not make exits 1 with the capability and the reason", async () => {
      const home = new CliHome({ PORTCULLIS_URL: server.url, PORTCULLIS_TOKEN: nobody.token });
      try {
        const { code, stdout, stderr } = await home.run(["user", "create", "x@example.com"]);
        expect([code, stdout]).to.deep.equal([1, ""]);
        expect(stderr).to.match(
          /^portcullis: denied: user:create \(NO_MATCHING_RULE\) — ask for a role that grants it: portcullis request ROLE/,
        );
      } finally {
        home.remove();
      }
    });
  });

  describe("tokens", () => {
    it("create prints the secret once (alone with --quiet); list, rotate and revoke", async () => {
      const owner = await addUser(server, ["db-querier", "prod-job-admin"]);
      const quiet = ok(
        await admin.run([
          "token",
          "create",
          "--name",
          "ci",
          "--user",
          owner.user.email,
          "--role",
          "db-querier",
          "--ttl",
          "1h",
          "--cidr",
          "127.0.0.0/8",
          "--quiet",
        ]),
      );
      expect(quiet.stdout).to.match(SECRET);
      expect(quiet.stderr).to.equal("");
      const secret = quiet.stdout.trim();
      expect((await gql<MeData>(server.url, "{ me { email } }", { token: secret })).data?.me.email).to.equal(
        owner.user.email,
      );

      const loud = ok(await admin.run(["token", "create", "--name", "laptop", "--user", owner.user.email]));
      expect(loud.stdout).to.match(SECRET);
      expect(loud.stderr).to.contain("shown once").and.not.contain(loud.stdout.trim());

      const listed = jsonOf<TokenRow[]>(
        ok(await admin.run(["token", "list", "--user", owner.user.email, "-o", "json"])).stdout,
      );
      const ci = listed.find((t) => t.name === "ci")!;
      expect(ci.roles).to.deep.equal([{ name: "db-querier" }]);
      expect(ci.boundCidrs).to.deep.equal(["127.0.0.0/8"]);
      expect(Date.parse(ci.expiresAt) - Date.now()).to.be.within(3_500_000, 3_600_000);
      expect(JSON.stringify(listed)).to.not.contain(secret);
      expect(ok(await admin.run(["token", "list", "--user", owner.user.email])).stdout)
        .to.contain(ci.id)
        .and.contain(ci.hint);

      const rotated = ok(await admin.run(["token", "rotate", ci.id, "--quiet"])).stdout.trim();
      expect(rotated).to.match(/^ptc_/).and.not.equal(secret);
      expect((await gql(server.url, "{ me { email } }", { token: secret })).errors?.[0]?.extensions?.code).to.equal(
        "UNAUTHENTICATED",
      );
      ok(await admin.run(["token", "revoke", ci.id]));
      expect((await gql(server.url, "{ me { email } }", { token: rotated })).errors?.[0]?.extensions?.code).to.equal(
        "UNAUTHENTICATED",
      );

      const all = ok(await admin.run(["token", "revoke", "--user", owner.user.email, "--all"]));
      expect(all.stderr).to.match(/Revoked [12] token\(s\)/);
      expect(
        JSON.parse(ok(await admin.run(["token", "list", "--user", owner.user.email, "-o", "json"])).stdout),
      ).to.deep.equal([]);
      expect((await admin.run(["token", "revoke", "--user", owner.user.email])).code).to.equal(2);
      expect((await admin.run(["token", "create", "--name", "x", "--user", "ghost@example.com"])).code).to.equal(1);
    });

    it("a token for a role its owner lacks is refused (exit 1, ESCALATION_DENIED)", async () => {
      const { code, stderr } = await admin.run([
        "token",
        "create",
        "--name",
        "x",
        "--user",
        viewer.user.email,
        "--role",
        "root",
      ]);
      expect(code).to.equal(1);
      expect(stderr).to.contain("ESCALATION_DENIED");
    });
  });

  describe("users, roles, grants, policies, types", () => {
    it("user create, show, lock, unlock, deprovision, reactivate, list", async () => {
      const email = `cli-${Date.now()}@example.com`;
      const created = ok(
        await admin.run(["user", "create", email, "--name", "Carol", "--role", "viewer", "--group", "sre"]),
      );
      expect(created.stdout).to.contain(email).and.contain("ACTIVE");
      const shown = ok(await admin.run(["user", "show", email])).stdout;
      expect(shown).to.contain("Carol").and.contain("groups: sre").and.contain("viewer");
      expect(
        jsonOf<{ status: string }>(
          ok(await admin.run(["user", "lock", email, "--reason", "laptop stolen", "-o", "json"])).stdout,
        ).status,
      ).to.equal("LOCKED");
      expect(ok(await admin.run(["user", "unlock", email])).stdout).to.equal(`${email} is now ACTIVE\n`);
      expect(ok(await admin.run(["user", "deprovision", email])).stdout).to.equal(`${email} is now DEPROVISIONED\n`);
      expect(ok(await admin.run(["user", "reactivate", email])).stdout).to.equal(`${email} is now ACTIVE\n`);
      const users = JSON.parse(ok(await admin.run(["user", "list", "-o", "json"])).stdout) as Array<{ email: string }>;
      expect(users.map((u) => u.email)).to.include.members([email, viewer.user.email, "admin@portcullis.local"]);
      expect(ok(await admin.run(["user", "list", "-o", "yaml"])).stdout).to.contain(`email: ${email}`);
      const missing = await admin.run(["user", "show", "ghost@example.com"]);
      expect([missing.code, missing.stderr]).to.deep.equal([
        1,
        "portcullis: not found: no user with email 'ghost@example.com'\n",
      ]);
      expect((await admin.run(["user", "create", email])).code).to.equal(1);
    });

    it("grant add, list, remove; role describe shows rules, inheritance and holders", async () => {
      const target = await addUser(server, []);
      const added = jsonOf<{ id: string }>(
        ok(
          await admin.run([
            "grant",
            "add",
            "--user",
            target.user.email,
            "--role",
            "prod-job-admin",
            "--scope",
            "prod",
            "--ttl",
            "2h",
            "--reason",
            "release",
            "-o",
            "json",
          ]),
        ).stdout,
      );
      expect(added).to.deep.include({ scope: "prod", reason: "release", active: true });
      expect(ok(await admin.run(["grant", "list", "--user", target.user.email])).stdout)
        .to.contain(added.id)
        .and.contain("prod-job-admin");
      const described = ok(await admin.run(["role", "describe", "prod-job-admin"])).stdout;
      expect(described)
        .to.contain("policy prod-jobs:")
        .and.match(/allow job\/prod\/\*\*\/\*: \S/)
        .and.contain(`${target.user.email} in prod`);
      const roleJson = jsonOf<{ holders: Array<{ id: string }> }>(
        ok(await admin.run(["role", "describe", "prod-job-admin", "-o", "json"])).stdout,
      );
      expect(roleJson.holders.map((g) => g.id)).to.include(added.id);
      ok(await admin.run(["grant", "remove", added.id]));
      expect(
        JSON.parse(ok(await admin.run(["grant", "list", "--user", target.user.email, "-o", "json"])).stdout),
      ).to.deep.equal([]);
      const bad = await admin.run(["grant", "add", "--user", target.user.email, "--role", "no-such-role"]);
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.match(/^portcullis: invalid: .*input\.role/);
      expect((await admin.run(["role", "describe", "no-such-role"])).code).to.equal(1);
      const deployer = ok(await admin.run(["role", "describe", "deployer"])).stdout;
      expect(deployer)
        .to.match(/^inherits: viewer$/m)
        .and.match(/^ {2}inherited from viewer:\n {4}policy \S+:\n {6}allow /m);
      expect(ok(await admin.run(["role", "list"])).stdout)
        .to.contain("prod-job-admin")
        .and.contain("viewer");
    });

    it("policy get -o yaml prints the document; policy list and type list", async () => {
      const yaml = ok(await admin.run(["policy", "get", "prod-jobs", "-o", "yaml"])).stdout;
      expect(yaml).to.equal(
        'kind: policy\nname: prod-jobs\nrules:\n  - resource: job\n    namespace: "prod/**"\n    capabilities: ["*"]\n',
      );
      expect(ok(await admin.run(["policy", "get", "prod-jobs"])).stdout).to.contain("used by: prod-job-admin");
      expect(ok(await admin.run(["policy", "list"])).stdout).to.contain("prod-jobs");
      expect((await admin.run(["policy", "get", "nope"])).code).to.equal(1);
      const types = JSON.parse(ok(await admin.run(["type", "list", "-o", "json"])).stdout) as Array<{ name: string }>;
      expect(types.map((t) => t.name)).to.include.members(["job", "role", "audit"]);
      expect(ok(await admin.run(["type", "list"])).stdout).to.match(/job .*submit \(\w+\)/);
    });
  });
});
