// `portcullis login`: the OIDC device flow from a terminal, through the server's
// /auth/oidc/device endpoints. What the person must do goes to stderr; the
// session secret is handed back to the caller (the command stores it in the
// configuration file, never on stdout or in a log).

export interface DeviceLoginIo {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  /** Instructions and progress, for the person. */
  tell: (line: string) => void;
  now: () => number;
}

export class DeviceLoginError extends Error {
  /** True when the server could not be reached at all (as opposed to refusing). */
  constructor(
    message: string,
    readonly unreachable = false,
  ) {
    super(message);
  }
}

interface Started {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string | null;
  handle: string;
  interval: number;
  expiresIn: number;
}

/** Runs the flow against `server`; resolves with the session secret and its expiry. */
export async function deviceLogin(
  server: string,
  io: DeviceLoginIo,
): Promise<{ sessionSecret: string; expiresAt: string }> {
  const base = parseServer(server);
  const started = await post(io, new URL("/auth/oidc/device", base), {});
  if (started.status !== 200)
    throw new DeviceLoginError(
      `the server refused to start a device login (${started.status}): ${errorMessage(started.body)}`,
    );
  const device = started.body as Started;
  io.tell(`To log in, open ${device.verificationUriComplete ?? device.verificationUri}`);
  io.tell(
    `and check that it shows the code ${device.userCode}${device.verificationUriComplete ? "" : " (enter it there)"}.`,
  );
  let interval = Math.max(1, device.interval) * 1000;
  const deadline = io.now() + device.expiresIn * 1000;
  while (io.now() < deadline) {
    await io.sleep(interval);
    const polled = await post(io, new URL("/auth/oidc/device/token", base), { handle: device.handle });
    const body = polled.body as { status?: string; sessionSecret?: string; expiresAt?: string };
    if (polled.status !== 200)
      throw new DeviceLoginError(`login refused (${polled.status}): ${errorMessage(polled.body)}`);
    if (body.status === "approved" && typeof body.sessionSecret === "string") {
      io.tell(`Logged in; the session lasts until ${body.expiresAt}.`);
      return { sessionSecret: body.sessionSecret, expiresAt: String(body.expiresAt) };
    }
    // RFC 8628 §3.5: slow_down adds 5 seconds to the interval for the rest of the flow.
    if (body.status === "slow_down") interval += 5000;
    else if (body.status !== "pending")
      throw new DeviceLoginError(`unexpected answer from the server: ${JSON.stringify(body).slice(0, 200)}`);
  }
  throw new DeviceLoginError("the device login expired before it was approved; run portcullis login again");
}

function parseServer(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new DeviceLoginError(`--server: '${server}' is not a URL (e.g. https://portcullis.example.com)`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new DeviceLoginError(`--server: '${server}' is not an http(s) URL`);
  return url;
}

async function post(io: DeviceLoginIo, url: URL, body: unknown): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await io.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new DeviceLoginError(`cannot reach ${url.origin}: ${(err as Error).message}`, true);
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text.slice(0, 200) };
  }
}

function errorMessage(body: unknown): string {
  const message = (body as { errors?: Array<{ message?: string }> } | null)?.errors?.[0]?.message;
  return message ?? (typeof body === "string" ? body : JSON.stringify(body).slice(0, 200));
}
