/// <reference lib="dom" />
// Headless Debian chromium driven by puppeteer-core (no browser download), for
// the console's browser tests: one browser per suite, a fresh context (its own
// cookies and storage) per person, axe-core injected from node_modules, a
// screenshot of every page open when a test fails, and the README's
// screenshots when CONSOLE_SCREENSHOTS names a directory.
import { expect } from "chai";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import puppeteer, { type Browser, type BrowserContext, type Page } from "puppeteer-core";

/** CHROMIUM_PATH, else Debian's chromium. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((p): p is string => p !== undefined && p !== "" && existsSync(p)) ?? null;
}

export const FAILURE_DIR = join(__dirname, "..", "..", "..", "test-results", "console");
const SCREENSHOT_DIR = process.env.CONSOLE_SCREENSHOTS;

export async function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath()!,
    headless: true,
    // Root in a container has no user namespace for chromium's sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run", "--lang=en-US"],
    defaultViewport: { width: 1280, height: 900 },
  });
}

export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Content-Security-Policy violations and uncaught errors the page reported. */
  problems: string[];
}

/** A new person: a browser context of their own with one page. */
export async function openPerson(browser: Browser): Promise<ConsolePage> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /Content.Security.Policy|Refused to/i.test(message.text()))
      problems.push(message.text());
  });
  page.on("pageerror", (error) =>
    problems.push(`page error: ${error instanceof Error ? error.message : String(error)}`),
  );
  return { context, page, problems };
}

let axeSource: string | null = null;

/** axe-core's serious and critical violations on the page as it is now. */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (an injected <script> would be refused).
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(): Promise<{
            violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run();
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  return violations;
}

/** Saves a PNG of the page: into docs when CONSOLE_SCREENSHOTS is set (README pictures), else nothing. */
export async function documentScreenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });
}

/** After each failed test, a screenshot of every page `pages()` returns, named after the test. */
export function screenshotsOnFailure(pages: () => Page[]): void {
  afterEach(async function () {
    if (this.currentTest?.state !== "failed") return;
    mkdirSync(FAILURE_DIR, { recursive: true });
    const base = (this.currentTest.fullTitle() || "test").replace(/[^\w-]+/g, "-").slice(0, 120);
    let i = 0;
    for (const page of pages()) {
      if (page.isClosed()) continue;
      const path = join(FAILURE_DIR, `${base}-${i++}.png`) as `${string}.png`;
      await page.screenshot({ path, fullPage: true }).catch(() => undefined);
      console.log(`    screenshot: ${path}`);
    }
  });
}

/**
 * The pages a suite opens (push each one): after each test, a failed test saves
 * a screenshot of every one, then their contexts are closed, and a CSP
 * violation or page error on any of them fails the test.
 */
export function pagesClosedAfterEach(): ConsolePage[] {
  const open: ConsolePage[] = [];
  screenshotsOnFailure(() => open.map((p) => p.page));
  afterEach(async () => {
    const problems = open.flatMap((p) => p.problems);
    await Promise.all(open.splice(0).map((p) => p.context.close()));
    expect(problems, "CSP violations or page errors").to.deep.equal([]);
  });
  return open;
}

/** The visible text of the first element matching `selector` once it contains `text`. */
export async function waitForText(
  page: Page,
  selector: string,
  text: string | RegExp,
  timeout = 10_000,
): Promise<string> {
  const pattern = typeof text === "string" ? text : text.source;
  const flags = typeof text === "string" ? "" : text.flags;
  const handle = await page.waitForFunction(
    (sel: string, p: string, f: string, literal: boolean) => {
      for (const el of Array.from(document.querySelectorAll(sel))) {
        const content = (el as HTMLElement).innerText ?? el.textContent ?? "";
        if (literal ? content.includes(p) : new RegExp(p, f).test(content)) return content;
      }
      return false;
    },
    { timeout },
    selector,
    pattern,
    flags,
    typeof text === "string",
  );
  return (await handle.jsonValue()) as string;
}

/** Clicks the first element matching `selector` whose text contains `text`. */
export async function clickText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    (sel: string, t: string) =>
      Array.from(document.querySelectorAll(sel)).some((el) => (el.textContent ?? "").includes(t)),
    { timeout: 10_000 },
    selector,
    text,
  );
  await page.evaluate(
    (sel: string, t: string) => {
      const el = Array.from(document.querySelectorAll<HTMLElement>(sel)).find((e) =>
        (e.textContent ?? "").includes(t),
      )!;
      el.click();
    },
    selector,
    text,
  );
}

/** Opens the console and signs in by pasting `token`. */
export async function signInWithToken(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/console`);
  await page.waitForSelector("#token");
  await page.type("#token", token);
  await clickText(page, "button", "Sign in with token");
  await page.waitForSelector('[data-testid="signed-in-as"]');
}
