/** Committed generated files must match their sources: schema.graphql, the SDK, and the migrations. */
import { execFile } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";
import { generate } from "@graphql-codegen/cli";
import { describe, expect, it } from "vitest";
import config from "../../codegen.js";

const run = promisify(execFile);

describe("generated files", () => {
  it("schema.graphql is printed from server/graphql", async () => {
    await run("node", ["--import", "tsx", "scripts/print-schema.ts", "--check"], { timeout: 30_000 });
  });

  it("sdk/generated.ts is generated from schema.graphql and sdk/operations", async () => {
    const [output] = await generate({ ...config, silent: true }, false);
    expect(output.content).toBe(fs.readFileSync("sdk/generated.ts", "utf8"));
  });

  it("prisma/schema.prisma has no change without a migration", async () => {
    await run("node", ["--import", "tsx", "scripts/prisma.ts", "check"], { timeout: 60_000 });
  });
});
