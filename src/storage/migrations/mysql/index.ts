import { Init1795508604789 } from "./1795508604789-Init";

/** Every mysql migration, oldest first. */
export const MYSQL_MIGRATIONS: Function[] = [Init1795508604789];
