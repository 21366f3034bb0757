// Writes schema/documents/*.schema.json (run by `npm run build`). The committed
// files are checked against this output by test/unit/domain/document-schemas.test.ts.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { documentSchemaFiles } from "./document-schemas";

export const DOCUMENT_SCHEMA_DIR = join(__dirname, "..", "..", "..", "..", "schema", "documents");

if (require.main === module) {
  mkdirSync(DOCUMENT_SCHEMA_DIR, { recursive: true });
  for (const [name, text] of Object.entries(documentSchemaFiles()))
    writeFileSync(join(DOCUMENT_SCHEMA_DIR, name), text);
}
