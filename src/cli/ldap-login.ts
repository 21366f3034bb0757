// `portcullis login --ldap`: a directory username and password posted to the
// server's POST /auth/ldap/login, the session secret taken from its JSON
// answer. The password is read from the terminal without echo (or, when stdin
// is not a terminal, as its first line), and never printed or stored.
import { createInterface } from "node:readline";
import { DeviceLoginError } from "./device-login";

/** Posts the credentials; resolves with the session secret and its expiry. */
export async function ldapLogin(
  server: string,
  username: string,
  password: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ sessionSecret: string; expiresAt: string }> {
  const url = new URL("/auth/ldap/login", server);
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ username, password }),
    });
  } catch (err) {
    throw new DeviceLoginError(`cannot reach ${url.origin}: ${(err as Error).message}`, true);
  }
  const text = await res.text();
  let body: { sessionSecret?: string; expiresAt?: string; errors?: Array<{ message?: string }> } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not JSON: reported below with the status.
  }
  if (res.status === 404)
    throw new DeviceLoginError(`${url.origin} does not offer LDAP login (404 on ${url.pathname})`);
  if (res.status !== 200 || typeof body.sessionSecret !== "string")
    throw new DeviceLoginError(`login refused (${res.status}): ${body.errors?.[0]?.message ?? text.slice(0, 200)}`);
  return { sessionSecret: body.sessionSecret, expiresAt: String(body.expiresAt) };
}

/** One line from the terminal, `echo` false for a password (nothing is shown as it is typed). */
export function promptLine(question: string, echo: boolean): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return nextStdinLine();
  process.stderr.write(question);
  if (echo) {
    return new Promise((resolve) => {
      const rl = createInterface({ input, output: process.stderr, terminal: true });
      rl.once("line", (line) => {
        rl.close();
        resolve(line);
      });
    });
  }
  // Raw mode: the terminal shows nothing; Enter ends, Backspace deletes, Ctrl-C cancels.
  return new Promise((resolve, reject) => {
    let typed = "";
    const finish = (done: () => void) => {
      input.setRawMode(false);
      input.pause();
      input.off("data", onData);
      process.stderr.write("\n");
      done();
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish(() => resolve(typed));
        if (ch === "\u0003") return finish(() => reject(new DeviceLoginError("login cancelled")));
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on("data", onData);
  });
}

let stdinLines: Promise<string[]> | null = null;

/** Lines of a piped stdin, handed out one per call (username, then password). */
async function nextStdinLine(): Promise<string> {
  stdinLines ??= (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8").split(/\r?\n/);
  })();
  const lines = await stdinLines;
  return lines.shift() ?? "";
}
