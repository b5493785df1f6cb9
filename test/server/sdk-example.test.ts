/** The README's SDK example is a real script: it runs against a real server and the README shows it verbatim. */
import { execFile } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { useTestServer } from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

const run = promisify(execFile);

describe("sdk/example.ts", () => {
  let server: TestServer;
  useTestServer((started) => (server = started), { listen: true });

  it("runs against a server over HTTP and prints the pulled values", async () => {
    const env = {
      ...process.env,
      ENVPLANE_URL: server.url,
      ENVPLANE_TOKEN: server.ownerToken,
      ENVPLANE_PROJECT: "example",
    };
    const { stdout } = await run("node", ["--import", "tsx", "sdk/example.ts"], { env, timeout: 30_000 });
    expect(stdout).toBe(
      "revision 1: added DATABASE_URL, STRIPE_KEY\nDATABASE_URL=postgres://localhost:5432/app\n# secrets excluded: STRIPE_KEY\n",
    );
    const again = await run("node", ["--import", "tsx", "sdk/example.ts"], { env, timeout: 30_000 });
    // STRIPE_KEY is a secret: it cannot be compared, so pushing it again overwrites it (a new revision).
    expect(again.stdout).toMatch(/^revision 2: added nothing\n/);
  });

  it("is importable from a plain Node script as envplane/sdk (compiled JavaScript)", async () => {
    const script = `import { createClient } from "envplane/sdk";
const r = await createClient({ url: process.env.ENVPLANE_URL, token: process.env.ENVPLANE_TOKEN }).viewer();
console.log(r.viewer.user.name);`;
    const env = { ...process.env, ENVPLANE_URL: server.url, ENVPLANE_TOKEN: server.ownerToken };
    const { stdout } = await run("node", ["--input-type=module", "-e", script], { env, timeout: 30_000 });
    expect(stdout).toBe("Owner\n");
  });

  it("is shown verbatim in README.md", () => {
    const example = fs.readFileSync("sdk/example.ts", "utf8").trim();
    expect(fs.readFileSync("README.md", "utf8")).toContain(example);
  });
});
