/// <reference lib="dom" />
// The web console's workflows in a real browser against a real server on
// SQLite: asking "Can I…?", a token's secret shown once, a role requested and
// approved by another person, a deny arriving in the live feed, the feed
// resuming after an outage, my sessions, and a policy edited, planned and applied.
import { expect } from "chai";
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
import { auditHead, eventsSince } from "../../support/access-model";
import { droppingProxy } from "../../support/dropping-proxy";
import { databaseKinds } from "../../support/databases";
import { describeIf } from "../../support/skip-reasons";
import { gql, startServer, type TestServer } from "../../support/server";
import { addSession } from "../../support/sessions";
import { SESSION_COOKIE } from "../../../src/http/session-cookie";

/** Replaces the code editor's text the way a user pasting would. */
async function setEditorText(page: Page, text: string): Promise<void> {
  await page.click(".cm-content");
  await page.keyboard.down("Control");
  await page.keyboard.press("a");
  await page.keyboard.up("Control");
  await page.evaluate((t: string) => {
    const data = new DataTransfer();
    data.setData("text/plain", t);
    document
      .querySelector(".cm-content")!
      .dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

async function fill(page: Page, selector: string, value: string): Promise<void> {
  await page.click(selector, { count: 3 });
  await page.keyboard.press("Backspace");
  await page.type(selector, value);
}

describeIf(chromiumPath(), "chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)")(
  "The web console's workflows (SQLite, chromium)",
  function () {
    this.timeout(60_000);
    let server: TestServer;
    let browser: Browser;
    let people: ConsoleFixture;
    const open = pagesClosedAfterEach();
    const signedIn = async (token: string, page?: string) => {
      const p = await openPerson(browser);
      open.push(p);
      await signInWithToken(p.page, server.url, token);
      if (page) await clickText(p.page, "nav a", page);
      return p.page;
    };

    before(async () => {
      server = await startServer(databaseKinds()[0], { NODE_ENV: "development" });
      people = await consoleFixture(server);
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await server?.close();
    });

    it('answers "Can I…?" with the decision, its reason and the explanation', async () => {
      const page = await signedIn(people.alice.token);
      await page.type("input[name=action]", "logs");
      await page.type("input[name=type]", "job");
      await page.type("input[name=namespace]", "prod/payments");
      await clickText(page, "button", "Ask");
      const allowed = await waitForText(page, '[data-testid="can-answer"]', "Allowed");
      expect(allowed).to.include("ALLOWED").and.include("policy viewer-read");
      expect(await page.$$eval('[data-testid="can-answer"] ol li', (items) => items.length)).to.be.greaterThan(0);
      await documentScreenshot(page, "can-i");
      await fill(page, "input[name=action]", "exec");
      await clickText(page, "button", "Ask");
      expect(await waitForText(page, '[data-testid="can-answer"]', "Denied")).to.include("NO_MATCHING_RULE");
    });

    it("creates a token with a lifetime and networks, and shows its secret once", async () => {
      const page = await signedIn(people.alice.token);
      await page.type("input[name=token-name]", "laptop");
      await page.select("#tokens-heading ~ form select", "3600");
      await page.type("input[name=cidrs]", "127.0.0.0/8");
      await clickText(page, "button", "Create token");
      const secret = (await waitForText(page, '[data-testid="token-secret"]', /^ptc_/)).trim();
      await waitForText(page, "tr[data-token=laptop]", "127.0.0.0/8");
      expect(await page.$eval("tr[data-token=laptop]", (r) => (r as HTMLElement).innerText)).to.match(/in (59m|1h)/);
      const me = await gql(server.url, "{ me { email } }", { token: secret });
      expect(me.data?.me).to.deep.equal({ email: "alice@example.com" });
      await clickText(page, "button", "Done");
      await page.reload();
      await page.waitForSelector("tr[data-token=laptop]");
      expect(await page.$('[data-testid="token-secret"]')).to.equal(null);
      expect(await page.content()).to.not.include(secret);
    });

    it("lists my sessions, marks this browser's, ends another one after a confirmation, then its own and signs out", async () => {
      const here = await addSession(server, people.alice.id);
      const elsewhere = await addSession(server, people.alice.id);
      const p = await openPerson(browser);
      open.push(p);
      const page = p.page;
      // Signed in as after an SSO login: the session cookie alone.
      await page.setCookie({ name: SESSION_COOKIE, value: here.secret, url: server.url, httpOnly: true });
      await page.goto(`${server.url}/console`);
      await page.waitForSelector('[data-testid="signed-in-as"]');
      const mine = await waitForText(page, `tr[data-session="${here.id}"]`, "this browser");
      expect(mine).to.include("LOCAL");
      expect(
        await page.$eval(`tr[data-session="${elsewhere.id}"]`, (r) => (r as HTMLElement).innerText),
      ).to.not.include("this browser");
      expect(await axeViolations(page)).to.deep.equal([]);
      await page.$eval("#sessions-heading", (h) => h.scrollIntoView());
      await documentScreenshot(page, "my-sessions");
      const questions: string[] = [];
      let answer = false;
      page.on("dialog", (dialog) => {
        questions.push(dialog.message());
        void (answer ? dialog.accept() : dialog.dismiss());
      });
      await page.click(`tr[data-session="${elsewhere.id}"] button`);
      expect(questions).to.have.length(1);
      expect(questions[0]).to.match(/^End the LOCAL session/);
      expect(await page.$(`tr[data-session="${elsewhere.id}"]`), "dismissed: nothing ended").to.not.equal(null);
      expect((await gql(server.url, "{ me { id } }", { token: elsewhere.secret })).data?.me).to.deep.equal({
        id: people.alice.id,
      });
      answer = true;
      await page.click(`tr[data-session="${elsewhere.id}"] button`);
      await page.waitForSelector(`tr[data-session="${elsewhere.id}"]`, { hidden: true });
      const refused = await gql(server.url, "{ me { id } }", { token: elsewhere.secret });
      expect(refused.errors?.[0]?.extensions?.code).to.equal("UNAUTHENTICATED");
      // This browser's session goes on, until it is ended here too: then the console signs out.
      await page.reload();
      await waitForText(page, `tr[data-session="${here.id}"]`, "this browser");
      await page.click(`tr[data-session="${here.id}"] button`);
      expect(questions[questions.length - 1]).to.match(/^End this session\? You will be signed out/);
      await page.waitForSelector("#token");
      const after = await gql(server.url, "{ me { id } }", { token: here.secret });
      expect(after.errors?.[0]?.extensions?.code).to.equal("UNAUTHENTICATED");
    });

    it("requests a role, has another person approve it, and then shows the new permission with its expiry", async () => {
      const alice = await signedIn(people.alice.token, "Requests");
      await alice.waitForSelector("select[name=role]");
      await alice.type("input[name=reason]", "ship the hotfix");
      await alice.select("select[name=duration]", String(4 * 3600));
      await clickText(alice, "button", "Ask");
      await waitForText(alice, "#mine-heading ~ table", "PENDING");

      const bob = await signedIn(people.bob.token, "Requests");
      // The card, once the requester's current grants have loaded next to what approval would add.
      const card = await waitForText(bob, "article[data-review='alice@example.com']", "console-requester");
      expect(card).to.include("ship the hotfix").and.include("deployer-deploy");
      expect(await axeViolations(bob)).to.deep.equal([]);
      await documentScreenshot(bob, "review");
      await bob.type("article[data-review='alice@example.com'] input", "go ahead");
      await clickText(bob, "article[data-review='alice@example.com'] button", "Approve");
      await waitForText(bob, "main", "Nothing waits for you.");

      await alice.reload();
      await waitForText(alice, "#mine-heading ~ table", "APPROVED");
      await clickText(alice, "nav a", "My access");
      const row = await waitForText(alice, "tr.permission", "role deployer");
      expect(row)
        .to.include("policy deployer-deploy")
        .and.match(/in 3h 5\dm|in 4h 0m/);
    });

    it("shows a deny in the live feed as soon as it happens", async () => {
      const admin = await signedIn(server.adminToken, "Audit");
      await waitForText(admin, '[data-testid="feed-status"]', "live");
      const caused = Date.now();
      const denied = await gql(server.url, "{ users { email } }", { token: people.alice.token });
      expect(denied.errors?.[0]?.extensions?.code).to.equal("FORBIDDEN");
      const row = await waitForText(admin, '[data-testid="live-feed"] tr', "Query.users", 10_000);
      // The one-second target is a figure to read, not an assertion (timings belong to bench/).
      console.log(`      deny shown in the live feed ${Date.now() - caused} ms after it was caused`);
      expect(row).to.include("alice@example.com").and.include("DENY");
      await documentScreenshot(admin, "audit");
    });

    it("resumes the live feed after its connection drops, missing no deny and showing none twice", async () => {
      const proxy = await droppingProxy(server.url);
      try {
        // The browser reaches the server through the proxy only, so cutting it is an outage for the page.
        const p = await openPerson(browser);
        open.push(p);
        const admin = p.page;
        // The subscribe messages the page sends over its WebSockets, as DevTools sees them.
        const subscribes: Array<{ resumeAfter: string | null }> = [];
        const cdp = await admin.createCDPSession();
        await cdp.send("Network.enable");
        cdp.on("Network.webSocketFrameSent", ({ response }) => {
          const message = JSON.parse(response.payloadData) as {
            type: string;
            payload?: { variables?: { resumeAfter?: string | null } };
          };
          if (message.type === "subscribe")
            subscribes.push({ resumeAfter: message.payload?.variables?.resumeAfter ?? null });
        });
        await signInWithToken(admin, proxy.url, server.adminToken);
        await clickText(admin, "nav a", "Audit");
        await waitForText(admin, '[data-testid="feed-status"]', "live");
        const since = await auditHead(server);
        const feedSequences = () =>
          admin.$$eval('[data-testid="live-feed"] tbody tr', (rows) => rows.map((r) => Number(r.dataset.sequence)));
        const deny = async () => {
          const res = await gql(server.url, "{ users { email } }", { token: people.alice.token });
          expect(res.errors?.[0]?.extensions?.code).to.equal("FORBIDDEN");
        };
        await deny();
        await waitForText(admin, '[data-testid="live-feed"] tr', "Query.users");

        const lastShown = Math.max(...(await feedSequences()));
        proxy.cut();
        await waitForText(admin, '[data-testid="feed-status"]', "reconnecting");
        for (let i = 0; i < 3; i++) await deny();
        proxy.restore();
        await waitForText(admin, '[data-testid="feed-status"]', "live", 20_000);
        await deny();

        const denies = (await eventsSince(server, since)).filter((e) => e.decision === "DENY").map((e) => e.sequence);
        expect(denies).to.have.length(5);
        await admin.waitForFunction(
          (wanted: number[]) => {
            const shown = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="live-feed"] tbody tr'));
            return wanted.every((s) => shown.some((r) => r.dataset.sequence === String(s)));
          },
          { timeout: 10_000 },
          denies,
        );
        // Give a second subscription, were one left over from the reconnect, time to deliver again.
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const shown = await feedSequences();
        expect(shown.filter((s) => s > since).sort((a, b) => a - b)).to.deep.equal(denies);
        expect(new Set(shown).size, "an event shown twice").to.equal(shown.length);
        // One subscription before the outage and one after it, resuming from the last event shown.
        expect(subscribes).to.deep.equal([{ resumeAfter: null }, { resumeAfter: String(lastShown) }]);
      } finally {
        await proxy.close();
      }
    });

    it("searches the audit trail with its filters and verifies the chain", async () => {
      const admin = await signedIn(server.adminToken, "Audit");
      await admin.type("input[name=actorEmail]", "alice@example.com");
      await admin.select("select[name=decision]", "DENY");
      await clickText(admin, "button", "Search");
      const results = await waitForText(admin, "table[aria-label='Search results'] tbody", "Query.users");
      expect(results).to.not.include("ALLOW");
      await clickText(admin, "button", "Verify the chain");
      expect(await waitForText(admin, "#verify-heading ~ [role=status]", "Intact")).to.match(/\d+ events checked/);
    });

    it("edits a policy as YAML, shows validation errors at their line, plans and applies it", async () => {
      const admin = await signedIn(server.adminToken, "Policies as code");
      await admin.waitForSelector("select[name=open] option[value='policy:console-demo']");
      await admin.select("select[name=open]", "policy:console-demo");
      await waitForText(admin, ".cm-content", "console-demo");
      const base = (level: string, capability = "") =>
        `kind: policy\nname: console-demo\ndescription: A policy the console tests edit\nrules:\n  - resource: job\n    namespace: "demo/**"\n    ${capability ? `capabilities: [${capability}]` : `level: ${level}`}\n`;

      await setEditorText(admin, base("SUPER"));
      expect(await waitForText(admin, "ul.problems li", "line 7")).to.match(/level/);
      const planDisabled = await admin.$$eval(
        ".toolbar button",
        (bs) => bs.find((b) => b.textContent === "Plan")!.disabled,
      );
      expect(planDisabled, "Plan is offered for a document with problems").to.equal(true);

      await setEditorText(admin, base("", "sumbit"));
      await admin.waitForFunction(() => document.querySelectorAll("ul.problems li").length === 0);
      await clickText(admin, "button", "Plan");
      expect(await waitForText(admin, "ul.problems li", "line 7")).to.include("did you mean 'submit'");

      await setEditorText(admin, base("OPERATE"));
      await clickText(admin, "button", "Plan");
      const plan = await waitForText(admin, '[data-testid="plan"]', "update policy console-demo");
      expect(plan)
        .to.include("+    level: OPERATE")
        .and.include("alice@example.com")
        .and.match(/gains allow .*restart/);
      expect(plan).to.include("Audit replay");
      expect(await axeViolations(admin)).to.deep.equal([]);
      await documentScreenshot(admin, "plan");
      await clickText(admin, "button", "Apply");
      expect(await waitForText(admin, '[data-testid="applied"]', "Applied")).to.include("1 updated");
      const after = await gql(server.url, '{ policy(name: "console-demo") { rules { level } } }', {
        token: server.adminToken,
      });
      expect(after.data?.policy).to.deep.equal({ rules: [{ level: "OPERATE" }] });
    });
  },
);
