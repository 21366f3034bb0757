// Column shapes shared by the entities, so both databases store the same thing:
// timestamps with milliseconds in UTC, JSON as text (portable across MySQL and SQLite).
import { ValueTransformer } from "typeorm";

export const timestamp = (options: { nullable?: boolean } = {}) => ({
  type: "datetime" as const,
  precision: 3,
  ...options,
});

const jsonTransformer: ValueTransformer = {
  to: (value: unknown) => (value === undefined ? null : JSON.stringify(value)),
  from: (value: string | null) => (value === null || value === undefined ? null : (JSON.parse(value) as unknown)),
};

/** A JSON value in a text column. */
export const jsonText = (options: { nullable?: boolean } = {}) => ({
  type: "text" as const,
  transformer: jsonTransformer,
  ...options,
});

export const id = () => ({ type: "varchar" as const, length: 36 });
