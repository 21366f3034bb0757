import { Init1795509222707 } from "./1795509222707-Init";

/** Every mysql migration, oldest first. */
export const MYSQL_MIGRATIONS: Function[] = [Init1795509222707];
