/** Starts the envplane server: reads the configuration and listens. Logs go to stderr (JSON lines, pretty on a terminal). */
import { createServer, type RequestListener } from "node:http";
import { type App, createApp } from "./app.js";
import { configFromEnv } from "./config.js";
import { dbConfigFromEnv } from "./db/client.js";
import { createLogger, type Logger } from "./http/log.js";
import { recoverOwner } from "./services/bootstrap.js";

async function main(log: Logger) {
  const config = configFromEnv();
  log.level = config.logLevel ?? "info";
  if (process.argv.slice(2).includes("--recover-owner")) return recover(config, log);
  // Bind first: a start that cannot listen creates nothing (no database, no owner, no token).
  let handle: RequestListener | null = null;
  const server = createServer((request, response) => {
    if (handle) return handle(request, response);
    response.writeHead(503, { "content-type": "text/plain", "retry-after": "1" }).end("envplane is starting.\n");
  });
  const listening = await new Promise<Error | null>((resolve) => {
    server.once("error", resolve);
    server.listen(config.port, config.host, () => resolve(null));
  });
  if (listening) {
    const inUse = (listening as NodeJS.ErrnoException).code === "EADDRINUSE";
    throw new Error(
      inUse
        ? `${config.host}:${config.port} is already in use. Stop what listens there, or set PORT to another port.`
        : listening.message,
    );
  }
  let app: App;
  try {
    app = await createApp(config, { logger: log });
  } catch (error) {
    server.close();
    throw error;
  }
  handle = app.handle;
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const db = dbConfigFromEnv(config.databaseUrl, config.dataDir);
  const where = db.provider === "postgresql" ? "PostgreSQL" : `SQLite (${db.file})`;
  const base = `http://${config.host}:${port}`;
  log.info(`envplane listening on ${base}/graphql (GraphiQL in a browser), the dashboard at ${base}/, with ${where}`);
  if (app.ownerToken) {
    log.warn("First start: created the owner. Their token is printed on stdout only this once; store it now.");
    console.log(`ENVPLANE_TOKEN=${app.ownerToken}`); // stdout, not a log line
  }
  const stop = () => server.close(() => void app.close().then(() => process.exit(0)));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/**
 * `envplane serve --recover-owner`: on the machine holding the data (ENVPLANE_DATA_DIR or
 * DATABASE_URL, and the root key), gives the first instance admin a new personal token and
 * prints it once. Works while a server runs on the same data.
 */
async function recover(config: ReturnType<typeof configFromEnv>, log: Logger) {
  const app = await createApp(config, { logger: log });
  try {
    const token = app.ownerToken ?? (await recoverOwner(app.database));
    log.warn("Recovered owner access: a new owner token is printed on stdout only this once; store it now.");
    console.log(`ENVPLANE_TOKEN=${token}`); // stdout, not a log line
  } finally {
    await app.close();
  }
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
