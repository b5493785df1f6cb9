/** Starts the envplane server: reads the configuration and listens. */
import { createServer } from "node:http";
import { createApp } from "./app.js";
import { configFromEnv } from "./config.js";
import { dbConfigFromEnv } from "./db/client.js";

async function main() {
  const config = configFromEnv();
  const app = await createApp(config);
  const server = createServer(app.handle);
  const listening = await new Promise<Error | null>((resolve) => {
    server.once("error", resolve);
    server.listen(config.port, config.host, () => resolve(null));
  });
  const showOwnerToken = () => {
    if (!app.ownerToken) return;
    console.error("First start: created the owner. Their token is shown only this once; store it now:");
    console.log(`ENVPLANE_TOKEN=${app.ownerToken}`);
  };
  if (listening) {
    showOwnerToken(); // even though listening failed: the owner exists now and its token is never shown again
    await app.close();
    const inUse = (listening as NodeJS.ErrnoException).code === "EADDRINUSE";
    throw new Error(inUse ? `${config.host}:${config.port} is already in use. Stop what listens there, or set PORT to another port.` : listening.message);
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const db = dbConfigFromEnv(config.databaseUrl, config.dataDir);
  const where = db.provider === "postgresql" ? "PostgreSQL" : `SQLite (${db.file})`;
  console.error(`envplane listening on http://${config.host}:${port}/graphql (GraphiQL in a browser) with ${where}`);
  showOwnerToken();
  const stop = () => server.close(() => void app.close().then(() => process.exit(0)));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(`envplane could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
