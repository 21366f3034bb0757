// The typeorm DataSource for the configured database (DATABASE_URL), for the typeorm CLI
// and tools. The server builds its own through src/storage/data-source.ts.
import "reflect-metadata";
import { loadConfig } from "./src/config";
import { createDataSource } from "./src/storage/data-source";

export default createDataSource(loadConfig().database);
