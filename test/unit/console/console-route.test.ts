// The console's routes on their own: the sign-in methods, the CSP, the page a
// server without a console build answers with, and long caching of hashed assets only.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import express from "express";
import { consoleRouter, signInMethodsRoute } from "../../../src/http/console.route";

async function serve(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("the console routes", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "console-route-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("lists LDAP as a form POST to /auth/ldap/login only when it is configured", async () => {
    const app = express();
    app.get("/with", signInMethodsRoute({ saml: true, oidc: true, ldap: true }));
    app.get("/without", signInMethodsRoute({ saml: false, oidc: false, ldap: false }));
    const http = await serve(app);
    try {
      const withAll = (await (await fetch(`${http.url}/with`)).json()) as { methods: Array<Record<string, string>> };
      expect(withAll.methods.map((m) => [m.id, m.method, m.url])).to.deep.equal([
        ["oidc", "GET", "/auth/oidc/login"],
        ["saml", "GET", "/auth/saml/login"],
        ["ldap", "POST", "/auth/ldap/login"],
      ]);
      const none = (await (await fetch(`${http.url}/without`)).json()) as { methods: unknown[]; token: boolean };
      expect(none).to.deep.equal({ methods: [], token: true });
    } finally {
      await http.close();
    }
  });

  it("says how to build the console when it is not built, with status 503", async () => {
    const app = express();
    app.use("/console", consoleRouter({ distDir: join(dir, "missing") }));
    const http = await serve(app);
    try {
      const res = await fetch(`${http.url}/console/access`);
      expect(res.status).to.equal(503);
      expect(await res.text()).to.include("npm run build");
    } finally {
      await http.close();
    }
  });

  it("answers every page with index.html under a fresh style nonce, and caches only hashed assets", async () => {
    mkdirSync(join(dir, "assets"));
    writeFileSync(
      join(dir, "index.html"),
      '<!doctype html><html><head><script type="module" src="/console/assets/a-1.js"></script></head></html>',
    );
    writeFileSync(join(dir, "assets", "a-1.js"), "export {};");
    const app = express();
    app.use("/console", consoleRouter({ distDir: dir }));
    const http = await serve(app);
    try {
      const first = await fetch(`${http.url}/console/directory`);
      const second = await fetch(`${http.url}/console`, { redirect: "manual" });
      expect(second.status).to.equal(200);
      const nonceOf = async (res: Response) => /content="([^"]+)"/.exec(await res.text())![1];
      const [a, b] = [await nonceOf(first), await nonceOf(second)];
      expect(a).to.not.equal(b);
      expect(first.headers.get("content-security-policy")).to.include(`style-src 'self' 'nonce-${a}'`);
      expect(first.headers.get("cache-control")).to.equal("no-store");
      const asset = await fetch(`${http.url}/console/assets/a-1.js`);
      expect(asset.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
      expect((await fetch(`${http.url}/console/assets/missing.js`)).status).to.equal(404);
    } finally {
      await http.close();
    }
  });
});
