// A small cookie-keeping browser for end-to-end login flows: fetch with manual
// redirects and a cookie jar that keeps cookies per host (not port, as browsers
// do), honours Path, Expires/Max-Age and Secure, and never sends a cookie back
// to a host that did not set it.

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | null;
  expires: number | null;
}

export class CookieJar {
  private cookies: StoredCookie[] = [];

  store(url: URL, setCookie: string[]): void {
    for (const header of setCookie) {
      const [pair, ...attributes] = header.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const cookie: StoredCookie = {
        name: pair.slice(0, eq).trim(),
        value: pair.slice(eq + 1).trim(),
        host: url.hostname,
        path: defaultPath(url),
        secure: false,
        httpOnly: false,
        sameSite: null,
        expires: null,
      };
      for (const attribute of attributes) {
        const [rawKey, ...rest] = attribute.split("=");
        const key = rawKey.trim().toLowerCase();
        const value = rest.join("=").trim();
        if (key === "path" && value.startsWith("/")) cookie.path = value;
        else if (key === "secure") cookie.secure = true;
        else if (key === "httponly") cookie.httpOnly = true;
        else if (key === "samesite") cookie.sameSite = value.toLowerCase();
        else if (key === "max-age") cookie.expires = Date.now() + Number(value) * 1000;
        else if (key === "expires" && cookie.expires === null) cookie.expires = Date.parse(value);
      }
      this.cookies = this.cookies.filter(
        (c) => !(c.name === cookie.name && c.host === cookie.host && c.path === cookie.path),
      );
      if (cookie.expires === null || cookie.expires > Date.now()) this.cookies.push(cookie);
    }
  }

  /** The Cookie header a browser would send to `url`. */
  header(url: URL): string {
    return this.matching(url)
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  get(url: URL, name: string): StoredCookie | undefined {
    return this.matching(url).find((c) => c.name === name);
  }

  set(url: URL, name: string, value: string, path = "/"): void {
    this.store(url, [`${name}=${value}; Path=${path}`]);
  }

  private matching(url: URL): StoredCookie[] {
    const now = Date.now();
    return this.cookies.filter(
      (c) =>
        c.host === url.hostname &&
        (c.expires === null || c.expires > now) &&
        (!c.secure || url.protocol === "https:") &&
        (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`)),
    );
  }
}

function defaultPath(url: URL): string {
  const last = url.pathname.lastIndexOf("/");
  return last <= 0 ? "/" : url.pathname.slice(0, last);
}

export interface Page {
  url: URL;
  status: number;
  headers: Headers;
  body: string;
  /** The Location header resolved against the page's URL, when there is one. */
  location: URL | null;
}

export class Browser {
  readonly jar = new CookieJar();

  /** One request, no redirect followed. */
  async request(url: URL | string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Page> {
    const target = new URL(url);
    const headers: Record<string, string> = {};
    const cookie = this.jar.header(target);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(target, {
      method: init.method ?? (init.form ? "POST" : "GET"),
      headers,
      body,
      redirect: "manual",
    });
    this.jar.store(target, res.headers.getSetCookie());
    const location = res.headers.get("location");
    return {
      url: target,
      status: res.status,
      headers: res.headers,
      body: await res.text(),
      location: location ? new URL(location, target) : null,
    };
  }

  /**
   * Follows redirects (as GETs) until a page that is not a redirect, or until
   * the next location satisfies `stopBefore`; then that location is returned
   * unvisited as `stoppedAt`.
   */
  async follow(
    first: Page,
    stopBefore: (next: URL) => boolean = () => false,
  ): Promise<{ page: Page; stoppedAt: URL | null }> {
    let page = first;
    for (let hops = 0; hops < 20; hops++) {
      if (page.status < 300 || page.status >= 400 || page.location === null) return { page, stoppedAt: null };
      if (stopBefore(page.location)) return { page, stoppedAt: page.location };
      page = await this.request(page.location);
    }
    throw new Error(`more than 20 redirects from ${first.url.href}`);
  }
}
