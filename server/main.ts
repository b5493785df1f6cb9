/** Starts the envplane server: reads the configuration and listens. */
import { createServer } from "node:http";
import { createApp } from "./app.js";
import { configFromEnv } from "./config.js";
import { dbConfigFromEnv } from "./db/client.js";

async function main() {
  const config = configFromEnv();
  const app = await createApp(config);
  const server = createServer(app.handle);
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const db = dbConfigFromEnv(config.databaseUrl, config.dataDir);
    const where = db.provider === "postgresql" ? "PostgreSQL" : `SQLite (${db.file})`;
    console.error(`envplane listening on http://${config.host}:${port}/graphql (GraphiQL in a browser) with ${where}`);
    if (app.ownerToken) {
      console.error("First start: created the owner. Their token is shown only this once; store it now:");
      console.log(`ENVPLANE_TOKEN=${app.ownerToken}`);
    }
  });
  const stop = () => server.close(() => void app.close().then(() => process.exit(0)));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(`envplane could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
