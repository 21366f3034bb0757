// The logger lives in observability/; HTTP code keeps importing it from here.
export { createLogger, type Logger, type LogLevel, type RootLogger } from "../observability/logger";
