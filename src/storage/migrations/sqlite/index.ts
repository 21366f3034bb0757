import { Init1795509222707 } from "./1795509222707-Init";

/** Every sqlite migration, oldest first. */
export const SQLITE_MIGRATIONS: Function[] = [Init1795509222707];
