/** Starts the envplane server: reads the configuration and listens. Logs go to stderr (JSON lines, pretty on a terminal). */
import { createServer } from "node:http";
import { createApp } from "./app.js";
import { configFromEnv } from "./config.js";
import { dbConfigFromEnv } from "./db/client.js";
import { createLogger, type Logger } from "./http/log.js";

async function main(log: Logger) {
  const config = configFromEnv();
  log.level = config.logLevel ?? "info";
  const app = await createApp(config, { logger: log });
  const server = createServer(app.handle);
  const listening = await new Promise<Error | null>((resolve) => {
    server.once("error", resolve);
    server.listen(config.port, config.host, () => resolve(null));
  });
  const showOwnerToken = () => {
    if (!app.ownerToken) return;
    log.warn("First start: created the owner. Their token is printed on stdout only this once; store it now.");
    console.log(`ENVPLANE_TOKEN=${app.ownerToken}`); // stdout, not a log line
  };
  if (listening) {
    showOwnerToken(); // even though listening failed: the owner exists now and its token is never shown again
    await app.close();
    const inUse = (listening as NodeJS.ErrnoException).code === "EADDRINUSE";
    throw new Error(
      inUse
        ? `${config.host}:${config.port} is already in use. Stop what listens there, or set PORT to another port.`
        : listening.message,
    );
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const db = dbConfigFromEnv(config.databaseUrl, config.dataDir);
  const where = db.provider === "postgresql" ? "PostgreSQL" : `SQLite (${db.file})`;
  log.info(`envplane listening on http://${config.host}:${port}/graphql (GraphiQL in a browser) with ${where}`);
  showOwnerToken();
  const stop = () => server.close(() => void app.close().then(() => process.exit(0)));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

// LOG_LEVEL is checked by configFromEnv; until then, log at info.
const log = createLogger(
  /^(fatal|error|warn|info|debug|trace|silent)$/i.test(process.env.LOG_LEVEL ?? "")
    ? process.env.LOG_LEVEL!.toLowerCase()
    : "info",
);
main(log).catch((error) => {
  log.fatal(`envplane could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
