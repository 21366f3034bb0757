// Runs the built `portcullis` command line as a child process, with its own
// configuration folder, and collects stdout, stderr and the exit code.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CLI = join(__dirname, "..", "..", "src", "cli", "main.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves once stdout (or stderr) matches `pattern`. */
  until(pattern: RegExp, stream?: "stdout" | "stderr", ms?: number): Promise<RegExpExecArray>;
  done: Promise<CliResult>;
}

export class CliHome {
  readonly dir = mkdtempSync(join(tmpdir(), "portcullis-cli-"));
  readonly configFile = join(this.dir, "portcullis", "config.json");

  constructor(readonly env: Record<string, string> = {}) {}

  spawn(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): CliRun {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: this.dir, XDG_CONFIG_HOME: this.dir, ...this.env, ...options.env },
      stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    const out = { stdout: "", stderr: "" };
    const waiters = new Set<() => void>();
    child.stdout!.on("data", (c: Buffer) => {
      out.stdout += c.toString();
      waiters.forEach((w) => w());
    });
    child.stderr!.on("data", (c: Buffer) => {
      out.stderr += c.toString();
      waiters.forEach((w) => w());
    });
    const done = new Promise<CliResult>((resolve) => child.once("close", (code) => resolve({ code, ...out })));
    return {
      child,
      done,
      until: (pattern, stream = "stdout", ms = 10_000) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`no ${pattern} on ${stream} within ${ms} ms: ${JSON.stringify(out)}`)),
            ms,
          );
          const check = () => {
            const match = pattern.exec(out[stream]);
            if (match) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(match);
            }
          };
          waiters.add(check);
          check();
        }),
    };
  }

  run(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
    return this.spawn(args, options).done;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
