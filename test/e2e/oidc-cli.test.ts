// `portcullis login` end to end: the command line runs the device flow against a
// real portcullis whose OIDC provider is a real oidc-provider; a person approves
// in a browser; the session the command keeps in its configuration file
// authenticates on /graphql and is never printed.
import { readFileSync, statSync } from "node:fs";
import { expect } from "chai";
import { Browser } from "../support/browser";
import { databaseKinds } from "../support/databases";
import { startIdp, type TestIdp } from "../support/oidc-idp";
import { approveDevice, callbackUrl, freePort, oidcServerEnv, portcullisClient } from "../support/oidc-flows";
import { CliHome } from "../support/cli";
import { gql, startServer, type TestServer } from "../support/server";

/** The command line's configuration file: the fields these tests read. */
type ConfigFile = { contexts: Record<string, { secret?: string; expiresAt: string }> };

const CLIENT = portcullisClient();

describe("portcullis login", function () {
  this.timeout(60_000);
  const sqlite = databaseKinds()[0];
  let idp: TestIdp;
  let server: TestServer;
  const home = new CliHome();

  before(async () => {
    const port = await freePort();
    idp = await startIdp({
      accounts: [{ sub: "bob-sub", email: "bob@example.com", name: "Bob", groups: ["staff"], amr: ["pwd"] }],
      clients: [{ ...CLIENT, redirectUri: callbackUrl(port) }],
    });
    server = await startServer(sqlite, oidcServerEnv(idp.issuer, CLIENT, port));
  });
  after(async () => {
    await server?.close();
    await idp?.close();
    home.remove();
  });

  it("tells the person where to approve, waits, and keeps the session in a 0600 file, printing no secret", async () => {
    const run = home.spawn(["login", "--server", server.url]);
    const [, url] = await run.until(/To log in, open (\S+)/, "stderr");
    const [, code] = await run.until(/shows the code (\S+?)(?: |\.)/, "stderr");
    await approveDevice(new Browser(), url, code, "bob-sub");
    const { code: exit, stdout, stderr } = await run.done;
    expect(exit, stderr).to.equal(0);
    expect(stdout).to.equal("");
    expect(stderr).to.contain("Logged in").and.contain("as bob@example.com").and.not.match(/pts_/);
    expect(statSync(home.configFile).mode & 0o777).to.equal(0o600);
    const context = (JSON.parse(readFileSync(home.configFile, "utf8")) as ConfigFile).contexts.default;
    expect(context.secret).to.match(/^pts_[0-9A-Za-z]{46}$/);
    expect(Date.parse(context.expiresAt)).to.be.greaterThan(Date.now());
    const me = await gql(server.url, "{ me { email source } }", { token: context.secret });
    expect(me.data?.me).to.deep.equal({ email: "bob@example.com", source: "OIDC" });

    const whoami = await home.run(["whoami", "-o", "json"]);
    expect(whoami.code, whoami.stderr).to.equal(0);
    expect(JSON.parse(whoami.stdout)).to.deep.include({ email: "bob@example.com", mfaEnrolled: false });
    const { credential } = JSON.parse(whoami.stdout) as { credential: { expiresAt: string } };
    expect(credential).to.deep.include({
      kind: "SESSION",
      from: "context 'default'",
      mfa: false,
      sessionSource: "OIDC",
      breakGlass: false,
    });
    // The expiry is the server's, which the login also saved.
    expect(Date.parse(credential.expiresAt)).to.equal(Date.parse(context.expiresAt));

    const logout = await home.run(["logout"]);
    expect(logout.code, logout.stderr).to.equal(0);
    expect(
      (await gql(server.url, "{ me { email } }", { token: context.secret })).errors?.[0]?.extensions?.code,
    ).to.equal("UNAUTHENTICATED");
    expect((JSON.parse(readFileSync(home.configFile, "utf8")) as ConfigFile).contexts.default.secret).to.equal(
      undefined,
    );
    const after = await home.run(["whoami"]);
    expect(after.code).to.equal(3);
    expect(after.stderr).to.contain("not logged in");
  });

  it("exits 3 with the server's reason when the server has no OIDC login", async () => {
    const plain = await startServer(sqlite);
    try {
      const { code, stdout, stderr } = await home.run(["login", "--server", plain.url]);
      expect(code).to.equal(3);
      expect(stdout).to.equal("");
      expect(stderr).to.match(/refused to start a device login \(404\)/);
    } finally {
      await plain.close();
    }
  });

  it("exits 2 naming the option when it is not understood", async () => {
    const { code, stderr } = await home.run(["login", "--sever", server.url]);
    expect(code).to.equal(2);
    expect(stderr).to.contain("unknown option '--sever'");
  });
});
