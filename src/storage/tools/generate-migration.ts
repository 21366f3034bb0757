// Writes a migration for each database from the difference between the entities
// and the schema that the existing migrations build. Developer tool:
//   node dist/src/storage/tools/generate-migration.js <Name>
// SQLite runs on a scratch file; MySQL needs MIGRATION_MYSQL_URL (an empty scratch database).
import "reflect-metadata";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDatabaseUrl } from "../../config";
import { createDataSource, detectDatabase } from "../data-source";

async function diff(url: string): Promise<{ up: string[]; down: string[] }> {
  const ds = createDataSource(await detectDatabase(parseDatabaseUrl(url)));
  await ds.initialize();
  try {
    await ds.runMigrations();
    const log = await ds.driver.createSchemaBuilder().log();
    return { up: log.upQueries.map((q) => q.query), down: log.downQueries.map((q) => q.query).reverse() };
  } finally {
    await ds.destroy();
  }
}

function render(className: string, up: string[], down: string[]): string {
  const lines = (qs: string[]) => qs.map((q) => `    await queryRunner.query(${JSON.stringify(q)});`).join("\n");
  return `import { MigrationInterface, QueryRunner } from "typeorm";

export class ${className} implements MigrationInterface {
  name = "${className}";

  async up(queryRunner: QueryRunner): Promise<void> {
${lines(up)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${lines(down)}
  }
}
`;
}

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) throw new Error("usage: generate-migration <PascalCaseName>");
  const stamp = Date.now();
  const targets: Array<[string, string]> = [
    ["sqlite", `sqlite:${join(mkdtempSync(join(tmpdir(), "portcullis-migration-")), "scratch.sqlite")}`],
  ];
  if (process.env.MIGRATION_MYSQL_URL) targets.push(["mysql", process.env.MIGRATION_MYSQL_URL]);
  for (const [dialect, url] of targets) {
    const { up: raw, down } = await diff(url);
    // Binary collation: names, emails and audit fields compare exactly, as on SQLite.
    const up =
      dialect === "mysql"
        ? raw.map((q) =>
            q.replace(/^(CREATE TABLE .*\) ENGINE=InnoDB)$/s, "$1 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"),
          )
        : raw;
    if (up.length === 0) {
      console.log(`${dialect}: entities and migrations agree, nothing to write`);
      continue;
    }
    const file = join("src", "storage", "migrations", dialect, `${stamp}-${name}.ts`);
    writeFileSync(file, render(`${name}${stamp}`, up, down));
    console.log(
      `${dialect}: wrote ${file} (${up.length} statements); add it to the list in migrations/${dialect}/index.ts`,
    );
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
