import { Init1795511088864 } from "./1795511088864-Init";

/** Every mysql migration, oldest first. */
export const MYSQL_MIGRATIONS: Function[] = [Init1795511088864];
