import { Init1795511088864 } from "./1795511088864-Init";

/** Every sqlite migration, oldest first. */
export const SQLITE_MIGRATIONS: Function[] = [Init1795511088864];
