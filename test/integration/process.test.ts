// `npm start` as a newcomer runs it: the compiled entry point as a child process.
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { gql } from "../support/server";

const MAIN = join(__dirname, "..", "..", "src", "main.js");

interface Running {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  port: Promise<number>;
  exit: Promise<number | null>;
}

function run(env: Record<string, string>): Running {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const port = new Promise<number>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      stderr.push(chunk.toString());
      const match = /"port":(\d+)[^\n]*"message":"listening"/.exec(stderr.join(""));
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", () => reject(new Error(`exited before listening: ${stderr.join("")}`)));
  });
  port.catch(() => undefined);
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk.toString()));
  // "close" comes after the child's output has been read to the end.
  const exit = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { child, stdout, stderr, port, exit };
}

describe("the portcullis process", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "portcullis-process-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("starts on an embedded SQLite file, prints a bootstrap token once, serves it, and stops cleanly on SIGTERM", async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, "nested", "p.sqlite")}`, PORT: "0", HOST: "127.0.0.1" };
    const first = run(env);
    const port = await first.port;
    const secret = /(ptc_[0-9A-Za-z]{46})/.exec(first.stdout.join(""))?.[1];
    expect(secret, first.stdout.join("")).to.be.a("string");
    const res = await gql<{ me: { email: string }; roles: Array<{ name: string }> }>(
      `http://127.0.0.1:${port}`,
      "{ me { email } roles { name } }",
      {
        token: secret!,
      },
    );
    expect(res.data?.me.email).to.equal("admin@portcullis.local");
    expect(res.data?.roles).to.have.length(7);
    first.child.kill("SIGTERM");
    expect(await first.exit).to.equal(0);
    expect(first.stderr.join("")).to.contain('"message":"stopped"');
    expect(first.stderr.join("")).to.not.contain(secret!.slice(4));

    const second = run(env);
    const port2 = await second.port;
    expect(second.stdout.join("")).to.not.match(/ptc_/);
    const again = await gql<{ me: { email: string } }>(`http://127.0.0.1:${port2}`, "{ me { email } }", {
      token: secret!,
    });
    expect(again.data?.me.email).to.equal("admin@portcullis.local");
    second.child.kill("SIGINT");
    expect(await second.exit).to.equal(0);
  });

  it("finishes a request in flight before it exits", async () => {
    const running = run({ DATABASE_URL: `sqlite:${join(dir, "p.sqlite")}`, PORT: "0", HOST: "127.0.0.1" });
    const port = await running.port;
    const secret = /(ptc_[0-9A-Za-z]{46})/.exec(running.stdout.join(""))![1];
    // Send half of the body, stop the server, then send the rest: the request was
    // in flight when the signal came, so it must still be answered.
    const body = JSON.stringify({ query: "{ roles { name } }" });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/graphql",
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            authorization: `Bearer ${secret}`,
          },
        },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        running.child.kill("SIGTERM");
        setTimeout(() => req.end(body.slice(10)), 200);
      }, 200);
    });
    const res = await response;
    expect(res.status).to.equal(200);
    expect((JSON.parse(res.text) as { data: { roles: unknown[] } }).data.roles).to.have.length(7);
    expect(await running.exit).to.equal(0);
  });

  it("refuses a bad setting with one line naming the variable", async () => {
    const running = run({ DATABASE_URL: `sqlite:${join(dir, "p.sqlite")}`, PORT: "eighty" });
    expect(await running.exit).to.equal(2);
    const lines = running.stderr.join("").trim().split("\n");
    expect(lines).to.deep.equal(["portcullis: configuration error: PORT: 'eighty' is not a port number (0-65535)"]);
  });
});
