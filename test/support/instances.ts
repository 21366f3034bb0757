// Server processes started as `npm start` starts them (the compiled entry point),
// for tests of several instances sharing one database, and a private Redis
// server that a test may stop and start again.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

const MAIN = join(__dirname, "..", "..", "src", "main.js");

export interface Instance {
  url: string;
  /** The server process, e.g. to read its CPU time. */
  pid: number;
  /** Everything the process logged so far. */
  log(): string;
  stop(): Promise<void>;
}

/** `execArgv`: node options before the entry point (e.g. `--cpu-prof` for a benchmark). */
export async function startInstance(env: Record<string, string>, execArgv: string[] = []): Promise<Instance> {
  const child = spawn(process.execPath, [...execArgv, MAIN], {
    env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"port":(\d+)[^\n]*"message":"listening"/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`instance exited (${code}) before listening: ${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    log: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface PrivateRedis {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server of the test's own on a free loopback port (nothing kept on disk). */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const started = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      child = started;
      await new Promise<void>((resolve, reject) => {
        let out = "";
        started.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          if (/Ready to accept connections/i.test(out)) resolve();
        });
        started.once("error", reject);
        started.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
      });
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const gone = new Promise<void>((resolve) => running.once("exit", () => resolve()));
      running.kill("SIGKILL");
      await gone;
    },
  };
  await redis.start();
  return redis;
}
