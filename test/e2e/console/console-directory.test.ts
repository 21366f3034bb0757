/// <reference lib="dom" />
// The web console on a server with LDAP login against a real OpenLDAP: the
// sign-in page's LDAP form signs a directory user in; and an administrator's
// user controls, each behind a confirmation.
import { expect } from "chai";
import type { Browser } from "puppeteer-core";
import {
  axeViolations,
  chromiumPath,
  clickText,
  launchChromium,
  openPerson,
  pagesClosedAfterEach,
  signInWithToken,
  waitForText,
} from "../../support/console-browser";
import { person, type Person } from "../../support/console-fixture";
import { databaseKinds } from "../../support/databases";
import { startLdap, SLAPD, type TestLdap } from "../../support/ldap-server";
import { describeIf } from "../../support/skip-reasons";
import { gql, startServer, type TestServer } from "../../support/server";

const browserAndDirectory = chromiumPath() !== null && SLAPD !== null;

describeIf(
  browserAndDirectory,
  SLAPD === null
    ? "slapd is not installed (apt-get install slapd ldap-utils)"
    : "chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)",
)("The web console: LDAP sign-in form and user administration (SQLite, chromium)", function () {
  this.timeout(60_000);
  let server: TestServer;
  let ldap: TestLdap;
  let browser: Browser;
  let carol: Person;
  const open = pagesClosedAfterEach();
  const newPerson = async () => {
    const p = await openPerson(browser);
    open.push(p);
    return p;
  };

  before(async () => {
    ldap = await startLdap();
    await ldap.addUser({ uid: "dana", password: "correct horse", mail: "dana@example.test", displayName: "Dana" });
    server = await startServer(databaseKinds()[0], { NODE_ENV: "development", ...ldap.env() });
    carol = await person(server, "carol@example.com", ["viewer"]);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await ldap?.close();
  });

  it("shows the LDAP form when LDAP is configured, posts the username and password as JSON and signs the directory user in", async () => {
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
    await page.type("#ldap-password", "wrong horse");
    await clickText(page, "button", "directory account");
    // A refusal is shown with the server's reason, and the page stays.
    await waitForText(page, "[role=alert]", "wrong username or password");
    await page.$eval("#ldap-password", (input) => {
      (input as HTMLInputElement).value = "";
    });
    await page.type("#ldap-password", "correct horse");
    await clickText(page, "button", "directory account");
    await waitForText(page, "h1", "My access");
    expect(await waitForText(page, '[data-testid="signed-in-as"]', "dana@example.test")).to.include("dana");
    expect(posted.map((p) => [p.url, p.type])).to.deep.equal([
      [`${server.url}/auth/ldap/login`, "application/json"],
      [`${server.url}/auth/ldap/login`, "application/json"],
    ]);
    expect(posted[1].body).to.equal(JSON.stringify({ username: "dana", password: "correct horse" }));
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
    expect((await gql(server.url, "{ me { status } }", { token: carol.token })).errors?.[0]?.extensions?.code).to.equal(
      "UNAUTHENTICATED",
    );
    await clickText(page, `${row} button`, "Unlock");
    await waitForText(page, row, "ACTIVE");
    expect(questions).to.have.length(3);
  });
});
