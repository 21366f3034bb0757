/// <reference lib="dom" />
// The web console in a real browser against a real server on SQLite: signing
// in with a token and through OIDC, what each person is offered, the server's
// headers for it, and axe-core on every page.
import { expect } from "chai";
import { generate } from "otplib";
import type { Browser, Page } from "puppeteer-core";
import {
  axeViolations,
  chromiumPath,
  clickText,
  documentScreenshot,
  launchChromium,
  openPerson,
  pagesClosedAfterEach,
  signInWithToken,
  waitForText,
} from "../../support/console-browser";
import { consoleFixture, type ConsoleFixture } from "../../support/console-fixture";
import { databaseKinds } from "../../support/databases";
import { startIdp, type TestIdp } from "../../support/oidc-idp";
import { callbackUrl, freePort, oidcServerEnv, portcullisClient } from "../../support/oidc-flows";
import { describeIf } from "../../support/skip-reasons";
import { startServer, type TestServer } from "../../support/server";
import { call } from "../../support/console-fixture";

const CLIENT = portcullisClient();

/** Answers the test IdP's login and consent prompts the way its own test browser does: by posting its forms. */
async function answerIdp(page: Page, issuer: string, sub: string): Promise<void> {
  for (let step = 0; step < 4 && page.url().startsWith(issuer); step++) {
    const prompt = await page.evaluate(() => (JSON.parse(document.body.innerText) as { prompt: string }).prompt);
    await Promise.all([
      page.waitForNavigation(),
      page.evaluate(
        (fields: { login?: string; confirm?: string }) => {
          const form = document.createElement("form");
          form.method = "POST";
          for (const [name, value] of Object.entries(fields)) {
            const input = document.createElement("input");
            input.name = name;
            input.value = value ?? "";
            form.append(input);
          }
          document.body.append(form);
          form.submit();
        },
        prompt === "login" ? { login: sub } : { confirm: "yes" },
      ),
    ]);
  }
}

describeIf(chromiumPath(), "chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)")(
  "The web console: signing in and what is offered (SQLite, chromium)",
  function () {
    this.timeout(60_000);
    let idp: TestIdp;
    let server: TestServer;
    let browser: Browser;
    let people: ConsoleFixture;
    const open = pagesClosedAfterEach();
    const person = async () => {
      const p = await openPerson(browser);
      open.push(p);
      return p;
    };
    /** A new person who signs in with the console's OIDC button as olivia, back on the console. */
    const signedInThroughOidc = async () => {
      const { page } = await person();
      await page.goto(`${server.url}/console`);
      await page.waitForSelector('[data-method="oidc"]');
      await Promise.all([page.waitForNavigation(), page.click('[data-method="oidc"]')]);
      await answerIdp(page, idp.issuer, "olivia-sub");
      await page.waitForSelector('[data-testid="signed-in-as"]');
      return page;
    };

    before(async () => {
      const port = await freePort();
      idp = await startIdp({
        accounts: [{ sub: "olivia-sub", email: "olivia@example.com", name: "Olivia", groups: ["staff"], amr: ["pwd"] }],
        clients: [{ ...CLIENT, redirectUri: callbackUrl(port) }],
      });
      server = await startServer(
        databaseKinds()[0],
        oidcServerEnv(idp.issuer, CLIENT, port, { OIDC_SCOPES: "openid email profile groups" }),
      );
      people = await consoleFixture(server);
      await call(
        server,
        'mutation($m: [SsoMappingInput!]!) { setSsoMappings(provider: "oidc", mappings: $m) { group } }',
        {
          m: [{ provider: "oidc", group: "staff", role: "viewer", scope: "" }],
        },
      );
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await server?.close();
      await idp?.close();
    });

    it("redirects / to the console and serves it with a strict Content-Security-Policy and long-cached hashed assets", async () => {
      const root = await fetch(`${server.url}/`, { redirect: "manual" });
      expect(root.status).to.equal(302);
      expect(root.headers.get("location")).to.equal("/console");
      const page = await fetch(`${server.url}/console/requests`);
      expect(page.status).to.equal(200);
      const csp = page.headers.get("content-security-policy") ?? "";
      expect(csp)
        .to.include("script-src 'self'")
        .and.include("connect-src 'self' ws://127.0.0.1:")
        .and.not.include("unsafe");
      const html = await page.text();
      expect(html).to.not.match(/<script>|<script(?![^>]*\bsrc=)[^>]*>/);
      const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1];
      const js = await fetch(`${server.url}${asset}`);
      expect(js.headers.get("cache-control")).to.include("max-age=31536000").and.include("immutable");
      expect(html + (await js.text())).to.not.match(
        /https?:\/\/(?!127\.0\.0\.1|localhost|www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\/[^"'\s]*\.(js|css|woff2?)/i,
      );
    });

    it("lists the configured sign-in methods without a credential, and no LDAP form when LDAP is not configured", async () => {
      const res = await fetch(`${server.url}/auth/methods`);
      const body = (await res.json()) as { methods: Array<{ id: string; url: string }> };
      expect(body.methods.map((m) => m.id)).to.deep.equal(["oidc"]);
      const { page } = await person();
      await page.goto(`${server.url}/console`);
      await page.waitForSelector('[data-method="oidc"]');
      expect(await page.$("#ldap-username")).to.equal(null);
      expect(await axeViolations(page)).to.deep.equal([]);
      await documentScreenshot(page, "sign-in");
    });

    it("keeps the /graphql landing page from loading anything from outside", async () => {
      const res = await fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } });
      expect(await res.text()).to.not.match(/https:\/\/(embeddable|apollo-server-landing-page|studio)/);
    });

    it("signs in with a pasted token and shows My access with each permission's provenance", async () => {
      const { page } = await person();
      await signInWithToken(page, server.url, people.alice.token);
      expect(await waitForText(page, '[data-testid="signed-in-as"]', "alice@example.com")).to.include("alice");
      // viewer-read reaches Alice through console-requester, which inherits viewer.
      const row = await waitForText(page, 'details[data-resource-type="*"] tr.permission', "role console-requester");
      expect(row).to.include("policy viewer-read").and.include("rule 0").and.include("never");
      expect(await page.evaluate(() => sessionStorage.getItem("portcullis.token"))).to.match(/^ptc_/);
      expect(await axeViolations(page)).to.deep.equal([]);
    });

    it("signs in through OIDC at the identity provider and lands on My access", async () => {
      const page = await signedInThroughOidc();
      expect(new URL(page.url()).pathname).to.match(/^\/console/);
      await waitForText(page, "h1", "My access");
      await waitForText(page, "main", "session (OIDC)");
      expect(await waitForText(page, '[data-testid="signed-in-as"]', "olivia@example.com")).to.include("olivia");
      await waitForText(page, "tr.permission", "role viewer");
      await documentScreenshot(page, "my-access");
    });

    it("enrols an authenticator from the QR code's link and then steps the session up to MFA", async () => {
      const page = await signedInThroughOidc();
      await clickText(page, "button", "Enrol an authenticator");
      await page.waitForSelector('.totp img[alt^="QR code"]');
      const uri = await page.$eval(".totp code", (c) => c.textContent ?? "");
      const secret = new URL(uri).searchParams.get("secret")!;
      // A code the authenticator would not show now is refused next to the field, which keeps its text.
      const now = Math.floor(Date.now() / 1000);
      const valid = await Promise.all([-30, 0, 30, 60].map((d) => generate({ secret, epoch: now + d })));
      const wrong = ["000000", "111111", "222222"].find((c) => !valid.includes(c))!;
      await page.type(".totp input[name=one-time-code]", wrong);
      await clickText(page, ".totp button", "Confirm");
      expect(await waitForText(page, ".totp [role=alert]", "wrong code")).to.include("wrong code");
      await page.click(".totp input[name=one-time-code]", { count: 3 });
      await page.keyboard.press("Backspace");
      await page.type(".totp input[name=one-time-code]", await generate({ secret }));
      await clickText(page, ".totp button", "Confirm");
      await waitForText(page, "#totp-heading ~ p", "An authenticator is enrolled.");
      await page.type(
        "#totp-heading ~ form input[name=one-time-code]",
        await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }),
      );
      await clickText(page, "#totp-heading ~ form button", "Verify");
      expect(await waitForText(page, ".facts", /Multi-factor\s+yes, until/)).to.include("yes");
    });

    it("offers a viewer neither the audit page nor the user controls an administrator sees", async () => {
      const viewer = await person();
      await signInWithToken(viewer.page, server.url, people.alice.token);
      await waitForText(viewer.page, "nav", "Directory");
      expect(await viewer.page.$eval("nav", (n) => n.innerText)).to.not.include("Audit");
      await clickText(viewer.page, "nav a", "Directory");
      await waitForText(viewer.page, "[role=tablist]", "Roles");
      expect(await viewer.page.$eval("[role=tablist]", (n) => (n as HTMLElement).innerText)).to.not.include("Users");
      expect(await viewer.page.$$("button.danger")).to.have.length(0);

      const admin = await person();
      await signInWithToken(admin.page, server.url, server.adminToken);
      await clickText(admin.page, "nav a", "Directory");
      await waitForText(admin.page, "tr[data-user='alice@example.com']", "Lock");
      expect(
        await admin.page.$eval("tr[data-user='alice@example.com']", (n) => (n as HTMLElement).innerText),
      ).to.include("Deprovision");
    });

    it("has no serious or critical accessibility violation on any page", async () => {
      const { page } = await person();
      await signInWithToken(page, server.url, server.adminToken);
      for (const [link, ready] of [
        ["My access", "tr.permission"],
        ["Requests", "#ask-heading, main p"],
        ["Directory", "tr[data-user]"],
        ["Policies as code", ".cm-editor"],
        ["Audit", '[data-testid="feed-status"]'],
      ] as const) {
        await clickText(page, "nav a", link);
        await page.waitForSelector(ready);
        expect(await axeViolations(page), link).to.deep.equal([]);
        if (link === "Directory") await documentScreenshot(page, "directory");
      }
    });
  },
);
