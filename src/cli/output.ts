// How read commands print: a table for people (the default), JSON or YAML of
// the API's own objects for scripts. Colour only on a terminal, and never when
// NO_COLOR is set (https://no-color.org).
import Table from "cli-table3";
import { stringify } from "yaml";
import { usageError } from "./cli-error";

export const OUTPUT_FORMATS = ["table", "json", "yaml"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stdout / stderr are terminals (colour, progress, prompts). */
  outTty: boolean;
  errTty: boolean;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  outTty: process.stdout.isTTY === true,
  errTty: process.stderr.isTTY === true,
};

export function outputFormat(value: string | undefined, allowed: readonly string[] = OUTPUT_FORMATS): string {
  const format = value ?? "table";
  if (!allowed.includes(format)) throw usageError(`--output: '${format}' is not one of ${allowed.join(", ")}`);
  return format;
}

export interface TableView {
  head: string[];
  rows: Array<Array<string | number | boolean | null | undefined>>;
}

export function renderTable(view: TableView): string {
  const table = new Table({
    head: view.head.every((h) => h === "") ? [] : view.head,
    style: { head: [], border: [] },
    wordWrap: true,
  });
  for (const row of view.rows) table.push(row.map((cell) => (cell === null || cell === undefined ? "" : String(cell))));
  return table.toString() + "\n";
}

/** Prints `value` as JSON or YAML, or `view()` as a table. */
export function print(io: Io, format: string, value: unknown, view: () => TableView | string): void {
  if (format === "json") io.out(JSON.stringify(value, null, 2) + "\n");
  else if (format === "yaml") io.out(stringify(value));
  else {
    const shown = view();
    io.out(typeof shown === "string" ? shown : renderTable(shown));
  }
}

const CODES = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  bold: [1, 22],
  dim: [2, 22],
} as const;
export type Colour = keyof typeof CODES;

/** A painter for one stream: identity unless it is a terminal and NO_COLOR is unset. */
export function painter(tty: boolean, env: NodeJS.ProcessEnv = process.env): (colour: Colour, text: string) => string {
  const on = tty && !env.NO_COLOR;
  return (colour, text) => (on ? `\u001b[${CODES[colour][0]}m${text}\u001b[${CODES[colour][1]}m` : text);
}

export const joinList = (items: readonly string[] | undefined | null): string =>
  items && items.length > 0 ? items.join(", ") : "";
