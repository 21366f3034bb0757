// `portcullis login` end to end: the command line runs the device flow against a
// real portcullis whose OIDC provider is a real oidc-provider; a person approves
// in a browser; the secret the command prints authenticates on /graphql.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { expect } from "chai";
import { Browser } from "../support/browser";
import { databaseKinds } from "../support/databases";
import { startIdp, type TestIdp } from "../support/oidc-idp";
import { approveDevice, freePort } from "../support/oidc-flows";
import { gql, startServer, type TestServer } from "../support/server";

const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");
const CLIENT = { clientId: "portcullis", clientSecret: randomBytes(24).toString("hex") };

interface Run {
  stderrUntil(pattern: RegExp): Promise<RegExpExecArray>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function runCli(args: string[]): Run {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on("data", (c: Buffer) => {
    stderr += c.toString();
    waiters.forEach((w) => w());
  });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
  return {
    done,
    stderrUntil: (pattern) => new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(stderr);
        if (match) {
          waiters.delete(check);
          resolve(match);
        }
      };
      waiters.add(check);
      check();
      void done.then(() => reject(new Error(`the command ended without printing ${pattern}: ${stderr}`)));
    }),
  };
}

describe("portcullis login", function () {
  this.timeout(60_000);
  const sqlite = databaseKinds()[0]!;
  let idp: TestIdp;
  let server: TestServer;

  before(async () => {
    const port = await freePort();
    const redirectUri = `http://127.0.0.1:${port}/auth/oidc/callback`;
    idp = await startIdp({ accounts: [{ sub: "bob-sub", email: "bob@example.com", name: "Bob", groups: ["staff"], amr: ["pwd"] }], clients: [{ ...CLIENT, redirectUri }] });
    server = await startServer(sqlite, {
      PORT: String(port), NODE_ENV: "development", OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT.clientId,
      OIDC_CLIENT_SECRET: CLIENT.clientSecret, OIDC_REDIRECT_URI: redirectUri, PORTCULLIS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    });
  });
  after(async () => {
    await server?.close();
    await idp?.close();
  });

  it("tells the person where to approve, waits, and prints only a session secret that authenticates", async () => {
    const run = runCli(["login", "--server", server.url]);
    const [, url] = await run.stderrUntil(/To log in, open (\S+)/);
    const [, code] = await run.stderrUntil(/shows the code (\S+?)(?: |\.)/);
    await approveDevice(new Browser(), url!, code!, "bob-sub");
    const { code: exit, stdout, stderr } = await run.done;
    expect(exit, stderr).to.equal(0);
    expect(stdout).to.match(/^pts_[0-9A-Za-z]{46}\n$/);
    expect(stderr).to.contain("Logged in").and.not.contain(stdout.trim());
    const me = await gql(server.url, "{ me { email source } }", { token: stdout.trim() });
    expect(me.data?.me).to.deep.equal({ email: "bob@example.com", source: "OIDC" });
  });

  it("exits 1 with the server's reason when the server has no OIDC login", async () => {
    const plain = await startServer(sqlite);
    try {
      const { code, stdout, stderr } = await runCli(["login", "--server", plain.url]).done;
      expect(code).to.equal(1);
      expect(stdout).to.equal("");
      expect(stderr).to.match(/refused to start a device login \(404\)/);
    } finally {
      await plain.close();
    }
  });

  it("exits 2 naming the option when it is not understood", async () => {
    const { code, stderr } = await runCli(["login", "--sever", server.url]).done;
    expect(code).to.equal(2);
    expect(stderr).to.contain("unknown command or option: login --sever");
  });
});
