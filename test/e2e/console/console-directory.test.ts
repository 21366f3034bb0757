/// <reference lib="dom" />
// The web console on a server with LDAP login configured: the sign-in page's
// LDAP form and what it sends; and an administrator's user controls, each
// behind a confirmation.
import { expect } from "chai";
import type { Browser } from "puppeteer-core";
import {
  axeViolations,
  chromiumPath,
  clickText,
  launchChromium,
  openPerson,
  screenshotsOnFailure,
  signInWithToken,
  waitForText,
  type ConsolePage,
} from "../../support/console-browser";
import { person, type Person } from "../../support/console-fixture";
import { databaseKinds } from "../../support/databases";
import { describeIf } from "../../support/skip-reasons";
import { gql, startServer, type TestServer } from "../../support/server";

describeIf(chromiumPath(), "chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)")(
  "The web console: LDAP sign-in form and user administration (SQLite, chromium)",
  function () {
    this.timeout(60_000);
    let server: TestServer;
    let browser: Browser;
    let carol: Person;
    const open: ConsolePage[] = [];
    const newPerson = async () => {
      const p = await openPerson(browser);
      open.push(p);
      return p;
    };

    before(async () => {
      server = await startServer(databaseKinds()[0], { NODE_ENV: "development", LDAP_URL: "ldap://127.0.0.1:1" });
      carol = await person(server, "carol@example.com", ["viewer"]);
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await server?.close();
    });
    screenshotsOnFailure(() => open.map((p) => p.page));
    afterEach(async () => {
      const problems = open.flatMap((p) => p.problems);
      await Promise.all(open.splice(0).map((p) => p.context.close()));
      expect(problems, "CSP violations or page errors").to.deep.equal([]);
    });

    it("shows the LDAP form when LDAP is configured and posts the username and password as JSON to /auth/ldap/login", async () => {
      const { page } = await newPerson();
      const posted: Array<{ url: string; type: string | undefined; body: string | undefined }> = [];
      page.on("request", (request) => {
        if (request.method() === "POST" && request.url().includes("/auth/ldap/"))
          posted.push({ url: request.url(), type: request.headers()["content-type"], body: request.postData() });
      });
      await page.goto(`${server.url}/console`);
      await page.waitForSelector("#ldap-username");
      expect(await axeViolations(page)).to.deep.equal([]);
      await page.type("#ldap-username", "dana");
      await page.type("#ldap-password", "correct horse");
      await clickText(page, "button", "directory account");
      // This server has no LDAP login route: the form shows the server's answer instead of leaving.
      await waitForText(page, "[role=alert]", "not found");
      expect(posted).to.deep.equal([
        {
          url: `${server.url}/auth/ldap/login`,
          type: "application/json",
          body: JSON.stringify({ username: "dana", password: "correct horse" }),
        },
      ]);
    });

    it("locks and unlocks a user after a confirmation, and does nothing when it is dismissed", async () => {
      const { page } = await newPerson();
      await signInWithToken(page, server.url, server.adminToken);
      await clickText(page, "nav a", "Directory");
      const row = "tr[data-user='carol@example.com']";
      await waitForText(page, row, "ACTIVE");
      const questions: string[] = [];
      let answer = false;
      page.on("dialog", (dialog) => {
        questions.push(dialog.message());
        void (answer ? dialog.accept() : dialog.dismiss());
      });
      await clickText(page, `${row} button`, "Lock");
      expect(questions).to.deep.equal(["Lock carol@example.com?"]);
      expect((await gql(server.url, "{ me { status } }", { token: carol.token })).data?.me).to.deep.equal({
        status: "ACTIVE",
      });
      answer = true;
      await clickText(page, `${row} button`, "Lock");
      await waitForText(page, row, "LOCKED");
      expect(
        (await gql(server.url, "{ me { status } }", { token: carol.token })).errors?.[0]?.extensions?.code,
      ).to.equal("UNAUTHENTICATED");
      await clickText(page, `${row} button`, "Unlock");
      await waitForText(page, row, "ACTIVE");
      expect(questions).to.have.length(3);
    });
  },
);
