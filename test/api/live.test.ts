/**
 * What is live (issue 9): runtimeVariables records, per project branch, the environment and revision it served;
 * ProjectBranch.status compares that with the mapped environment now (pending keys: base values and this
 * branch's overrides changed since; a remapped branch needs a redeploy). SQLite and PostgreSQL.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { EnvplaneClient } from "../../sdk/index.js";
import { pruneAuditLog } from "../../server/events/audit.js";
import { expectType } from "../support/expect.js";
import {
  createBranch,
  createProject,
  serviceToken,
  setVariable,
  updateMapping,
  userWithRole,
  useTestServer,
} from "../support/fixtures.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
let sdk: EnvplaneClient;
useTestServer((started) => ([server, sdk] = [started, started.owner]));

const slug = () => `live-${randomBytes(4).toString("hex")}`;

async function branches(project: string, client = sdk) {
  const { project: p } = await client.branchStatus({ project });
  return Object.fromEntries(p!.branches.map((b) => [b.name, b]));
}

async function resolve(client: EnvplaneClient, project: string, branch: string) {
  return expectType((await client.runtimeVariables({ project, branch })).runtimeVariables, "RuntimeEnvironment");
}

describe("ProjectBranch.live and status", () => {
  it("a branch never served has no live revision and nothing pending", async () => {
    const s = slug();
    await createProject(sdk, s);
    await setVariable(sdk, { project: s, environment: "preview", key: "A", value: "1" });
    const { dev } = await branches(s);
    expect(dev.live).toBeNull();
    expect(dev.status).toEqual({
      environment: { name: "preview" },
      currentRevision: 1,
      liveRevision: null,
      pendingChanges: 0,
      pendingKeys: [],
      redeployNeeded: false,
      environmentChanged: false,
    });
  });

  it("records what runtimeVariables served, then counts the keys written since: base values and this branch's overrides only", async () => {
    const s = slug();
    await createProject(sdk, s, { branches: ["feature-x", "feature-y"] });
    await setVariable(sdk, { project: s, environment: "preview", key: "A", value: "1" });
    await setVariable(sdk, { project: s, environment: "preview", key: "B", value: "1" });
    await setVariable(sdk, { project: s, environment: "preview", key: "C", value: "1" });
    const runtime = await serviceToken(server, s, ["RUNTIME"]);
    const before = Date.now();
    await resolve(runtime.client, s, "feature-x");
    let x = (await branches(s))["feature-x"];
    expect(x.live).toMatchObject({ environmentName: "preview", revision: 3, tokenName: runtime.created.token.name });
    expect(new Date(x.live!.servedAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(x.status).toMatchObject({ currentRevision: 3, liveRevision: 3, pendingChanges: 0, redeployNeeded: false });

    await setVariable(sdk, { project: s, environment: "preview", key: "A", value: "2" }); // base: pending
    await setVariable(sdk, { project: s, environment: "preview", key: "B", value: "x", branch: "feature-x" }); // own override
    await setVariable(sdk, { project: s, environment: "preview", key: "C", value: "y", branch: "feature-y" }); // another branch
    await sdk.pullVariables({ project: s, environment: "preview" }); // a read changes nothing
    const all = await branches(s);
    x = all["feature-x"];
    expect(x.status).toMatchObject({
      currentRevision: 6,
      liveRevision: 3,
      pendingChanges: 2,
      pendingKeys: ["A", "B"],
      redeployNeeded: true,
      environmentChanged: false,
    });
    expect(all["feature-y"].live).toBeNull(); // never served

    await resolve(runtime.client, s, "feature-x");
    x = (await branches(s))["feature-x"];
    expect(x.live).toMatchObject({ revision: 6 });
    expect(x.status).toMatchObject({ liveRevision: 6, pendingChanges: 0, pendingKeys: [], redeployNeeded: false });
  });

  it("a branch remapped to another environment than the live one needs a redeploy", async () => {
    const s = slug();
    await createProject(sdk, s, { branches: ["feature-x"] });
    const runtime = await serviceToken(server, s, ["RUNTIME"]);
    await resolve(runtime.client, s, "feature-x");
    expect((await branches(s))["feature-x"].status).toMatchObject({ environmentChanged: false, redeployNeeded: false });
    await updateMapping(sdk, s, [
      { environment: "production", branch: "main" },
      { environment: "production", branch: "feature-x" },
      { environment: "preview", branch: "*" },
    ]);
    const x = (await branches(s))["feature-x"];
    expect(x.live).toMatchObject({ environmentName: "preview" });
    expect(x.status).toMatchObject({
      environment: { name: "production" },
      environmentChanged: true,
      redeployNeeded: true,
    });
  });

  it("a token scoped to other environments sees neither the live environment nor the status", async () => {
    const s = slug();
    await createProject(sdk, s, { branches: ["feature-x"] });
    await createBranch(sdk, s, "feature-z");
    const runtime = await serviceToken(server, s, ["RUNTIME"]);
    await resolve(runtime.client, s, "feature-x");
    const scoped = await serviceToken(server, s, ["READ"], ["production"]);
    const x = (await branches(s, scoped.client))["feature-x"];
    expect(x.live).toBeNull();
    expect(x.status).toBeNull();
    const viewer = await userWithRole(server, s, "VIEWER");
    expect((await branches(s, viewer.client))["feature-x"].live).toMatchObject({ environmentName: "preview" });
  });

  it("the live row goes with its branch", async () => {
    const s = slug();
    await createProject(sdk, s, { branches: ["gone"] });
    const runtime = await serviceToken(server, s, ["RUNTIME"]);
    await resolve(runtime.client, s, "gone");
    expectType((await sdk.deleteBranch({ input: { project: s, name: "gone" } })).deleteBranch, "DeleteBranchPayload");
    await createBranch(sdk, s, "gone");
    expect((await branches(s)).gone.live).toBeNull();
  });
  // Last in this file: it prunes every chain of the shared server's audit log.
  it("pending keys come from the history: another branch's overrides never count, and pruning the audit log loses none", async () => {
    const s = slug();
    await createProject(sdk, s, { branches: ["feature-x", "feature-y"] });
    await setVariable(sdk, { project: s, environment: "preview", key: "A", value: "1" }); // revision 1
    const runtime = await serviceToken(server, s, ["RUNTIME"]);
    await resolve(runtime.client, s, "feature-x");
    await setVariable(sdk, { project: s, environment: "preview", key: "A", value: "y", branch: "feature-y" });
    // Back to revision 1: only feature-y's override changes.
    const restored = await sdk.restoreEnvironment({ input: { project: s, environment: "preview", revision: 1 } });
    expectType(restored.restoreEnvironment, "RestoreEnvironmentPayload");
    expect((await branches(s))["feature-x"].status).toMatchObject({ currentRevision: 3, pendingKeys: [] });
    await setVariable(sdk, { project: s, environment: "preview", key: "B", value: "1" });
    expect((await branches(s))["feature-x"].status).toMatchObject({ pendingKeys: ["B"], redeployNeeded: true });
    await pruneAuditLog(server.app.database, 1, new Date(Date.now() + 2 * 86_400_000));
    expect((await branches(s))["feature-x"].status).toMatchObject({ pendingKeys: ["B"], redeployNeeded: true });
  });
});
