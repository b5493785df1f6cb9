/**
 * Encryption at rest, checked in the real database (SECURITY 1-3, 7): blobs carry a
 * versioned header, values are never stored in plaintext, and a ciphertext moved to
 * another row (swapped, copied, replayed) fails to decrypt instead of returning the
 * wrong value. The client gets a typed UndecryptableError naming the keys (and how to
 * recover), never a value; the server log names the rows.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EnvplaneRequestError } from "../../sdk/index.js";
import { expectType } from "../support/expect.js";
import { createProject, readEnvironment, setVariable, useTestServer } from "../support/fixtures.js";
import { databaseSnapshot, withRawDb } from "../support/raw-db.js";
import type { TestServer } from "../support/server.js";

let server: TestServer;
const unique = () => randomBytes(6).toString("hex");

const variableIds = async (project: string, environment: string) =>
  Object.fromEntries((await readEnvironment(server.owner, project, environment)).variables.map((v) => [v.key, v.id]));

/** A project with A and B in development, A in preview; returns the values and row ids. */
async function setup(slug: string) {
  await createProject(server.owner, slug);
  const values = { devA: `dev-a-${unique()}`, devB: `dev-b-${unique()}`, previewA: `preview-a-${unique()}` };
  await setVariable(server.owner, { project: slug, environment: "development", key: "A", value: values.devA });
  await setVariable(server.owner, { project: slug, environment: "development", key: "B", value: values.devB });
  await setVariable(server.owner, { project: slug, environment: "preview", key: "A", value: values.previewA });
  return { values, dev: await variableIds(slug, "development"), preview: await variableIds(slug, "preview") };
}

const getBlob = (id: string, table = "Variable") =>
  withRawDb(server.database, async (q) =>
    Buffer.from((await q(`SELECT "ciphertext" FROM "${table}" WHERE "id" = $1`, [id]))[0].ciphertext as Uint8Array),
  );
const setBlob = (id: string, blob: Buffer, table = "Variable") =>
  withRawDb(server.database, (q) => q(`UPDATE "${table}" SET "ciphertext" = $1 WHERE "id" = $2`, [blob, id]));

/**
 * Reads an environment both ways a client can; returns the values, or the keys that cannot
 * be decrypted (the listing's error and pullVariables' UndecryptableError must agree).
 */
async function read(
  project: string,
  environment: string,
  branch?: string,
): Promise<Record<string, string | null> | { undecryptable: string[]; text: string }> {
  const [listing, pulled] = await Promise.allSettled([
    server.owner.environmentVariables({ project, environment }),
    server.owner.pullVariables({ project, environment, branch }),
  ]);
  expect(pulled.status).toBe("fulfilled");
  const pull = (pulled as PromiseFulfilledResult<Awaited<ReturnType<typeof server.owner.pullVariables>>>).value
    .pullVariables;
  if (pull.__typename === "PulledEnvironment" && !branch) {
    expect(listing.status).toBe("fulfilled");
    return Object.fromEntries(
      (
        listing as PromiseFulfilledResult<Awaited<ReturnType<typeof server.owner.environmentVariables>>>
      ).value.project!.environment!.variables.nodes.map((v) => [v.key, v.value]),
    );
  }
  const error = expectType(pull, "UndecryptableError");
  expect(error.message).toMatch(
    new RegExp(
      `in "${environment}" of project "${project}" cannot be decrypted .*: ${error.keys.join(", ")}\\. Set (it|them) again`,
    ),
  );
  let text = JSON.stringify(pull);
  if (!branch) {
    expect(listing.status).toBe("rejected");
    const failure = (listing as PromiseRejectedResult).reason as EnvplaneRequestError;
    expect(failure).toBeInstanceOf(EnvplaneRequestError);
    expect(failure.message).toMatch(/cannot be decrypted/);
    expect(failure.message).not.toMatch(/Unexpected error/);
    text += JSON.stringify(failure.errors);
  }
  return { undecryptable: error.keys, text };
}

/** Reading must fail naming exactly `keys`; neither the response nor the log may contain any of `values`; the log names the rows. */
async function expectUnreadable(
  project: string,
  environment: string,
  values: string[],
  keys: string[],
  rows: string[] = [],
) {
  const logsBefore = server.logs.length;
  const result = await read(project, environment);
  expect(result).toHaveProperty("undecryptable", keys);
  const logged = server.logs.slice(logsBefore).join("\n");
  const seen = (result as { text: string }).text + logged;
  for (const value of values) expect(seen).not.toContain(value);
  expect(logged).toMatch(/Undecryptable value/);
  for (const row of rows) expect(logged).toContain(row);
}

describe("encryption at rest", () => {
  useTestServer((started) => (server = started));

  it("stores blobs with a format-1 header and a fresh nonce, never the plaintext", async () => {
    const { values, dev, preview } = await setup("enc-format");
    await setVariable(server.owner, {
      project: "enc-format",
      environment: "development",
      key: "SAME",
      value: values.devA,
    });
    const blobA = await getBlob(dev.A);
    const devIds = await variableIds("enc-format", "development");
    const blobSame = await getBlob(devIds.SAME);
    for (const blob of [blobA, blobSame]) {
      expect(blob[0]).toBe(1); // format version
      expect(blob.readUInt32BE(1)).toBe(1); // key version
      expect(blob.length).toBe(1 + 4 + 24 + Buffer.byteLength(values.devA) + 16);
      expect(blob.includes(Buffer.from(values.devA))).toBe(false);
    }
    expect(blobA.subarray(5, 29).equals(blobSame.subarray(5, 29))).toBe(false); // nonces differ
    expect(blobA.subarray(29).equals(blobSame.subarray(29))).toBe(false);
    expect((await getBlob(preview.A))[0]).toBe(1);
    const dump = await databaseSnapshot(server.database);
    expect(dump.contains("enc-format")).toBe(true);
    for (const value of Object.values(values)) expect(dump.contains(value)).toBe(false);
  });

  it("swapping two variables' ciphertexts makes both unreadable", async () => {
    const { values, dev } = await setup("enc-swap");
    const [a, b] = [await getBlob(dev.A), await getBlob(dev.B)];
    await setBlob(dev.A, b);
    await setBlob(dev.B, a);
    await expectUnreadable("enc-swap", "development", [values.devA, values.devB], ["A", "B"], [dev.A, dev.B]);
    await setBlob(dev.A, a);
    await setBlob(dev.B, b);
    expect(await read("enc-swap", "development")).toEqual({ A: values.devA, B: values.devB });
  });

  it("a ciphertext copied to the same key in another environment or project is unreadable", async () => {
    const { values, dev, preview } = await setup("enc-copy");
    const other = await setup("enc-copy-other");
    const saved = await getBlob(preview.A);
    await setBlob(preview.A, await getBlob(dev.A));
    await expectUnreadable("enc-copy", "preview", [values.devA, values.previewA], ["A"], [preview.A]);
    await setBlob(preview.A, saved);
    expect(await read("enc-copy", "preview")).toEqual({ A: values.previewA });

    const savedOther = await getBlob(other.dev.A);
    await setBlob(other.dev.A, await getBlob(dev.A));
    await expectUnreadable("enc-copy-other", "development", [values.devA, other.values.devA], ["A"], [other.dev.A]);
    await setBlob(other.dev.A, savedOther);
    expect(await read("enc-copy-other", "development")).toEqual({ A: other.values.devA, B: other.values.devB });
  });

  it("an older ciphertext written back over a newer value is unreadable", async () => {
    const { values, dev } = await setup("enc-replay");
    const old = await getBlob(dev.A);
    await setVariable(server.owner, {
      project: "enc-replay",
      environment: "development",
      key: "A",
      value: "the-new-value",
    });
    const current = await getBlob(dev.A);
    await setBlob(dev.A, old);
    await expectUnreadable("enc-replay", "development", [values.devA, "the-new-value"], ["A"], [dev.A]);
    await setBlob(dev.A, current);
    expect(await read("enc-replay", "development")).toEqual({ A: "the-new-value", B: values.devB });
  });

  it("a branch override's ciphertext and the base value's are not interchangeable", async () => {
    const { values, preview } = await setup("enc-branch");
    await setVariable(server.owner, {
      project: "enc-branch",
      environment: "preview",
      key: "A",
      value: "override-value",
      branch: "dev",
    });
    const overrideId = await withRawDb(server.database, async (q) =>
      String((await q(`SELECT "id" FROM "BranchOverride" WHERE "variableId" = $1`, [preview.A]))[0].id),
    );
    const [base, override] = [await getBlob(preview.A), await getBlob(overrideId, "BranchOverride")];
    await setBlob(preview.A, override);
    await expectUnreadable("enc-branch", "preview", [values.previewA, "override-value"], ["A"], [preview.A]);
    await setBlob(preview.A, base);
    await setBlob(overrideId, base, "BranchOverride");
    const logsBefore = server.logs.length;
    const pulled = await read("enc-branch", "preview", "dev");
    expect(pulled).toHaveProperty("undecryptable", ["A"]);
    expect((pulled as { text: string }).text).not.toContain("override-value");
    expect(server.logs.slice(logsBefore).join("\n")).toContain(overrideId);
    await setBlob(overrideId, override, "BranchOverride");
    const ok = expectType(
      (await server.owner.pullVariables({ project: "enc-branch", environment: "preview", branch: "dev" }))
        .pullVariables,
      "PulledEnvironment",
    );
    expect(ok.variables).toEqual([{ key: "A", value: "override-value", fromOverride: true }]);
  });

  it.each([
    ["an unknown format version", (b: Buffer) => Buffer.concat([Buffer.from([2]), b.subarray(1)])],
    [
      "a key version with no key",
      (b: Buffer) => Buffer.concat([b.subarray(0, 1), Buffer.from([0, 0, 0, 9]), b.subarray(5)]),
    ],
    ["a truncated blob", (b: Buffer) => b.subarray(0, 20)],
    ["an empty blob", () => Buffer.alloc(0)],
    [
      "a flipped ciphertext bit",
      (b: Buffer) => Buffer.concat([b.subarray(0, 30), Buffer.from([b[30] ^ 1]), b.subarray(31)]),
    ],
    ["a flipped nonce bit", (b: Buffer) => Buffer.concat([b.subarray(0, 6), Buffer.from([b[6] ^ 1]), b.subarray(7)])],
  ])(
    "a stored blob with %s is an UndecryptableError naming its key, and setting it again recovers",
    async (_name, tamper) => {
      const slug = `enc-tamper-${unique()}`;
      const { values, dev } = await setup(slug);
      await setBlob(dev.A, tamper(await getBlob(dev.A)));
      await expectUnreadable(slug, "development", [values.devA, values.devB], ["A"], [dev.A]);
      // the recovery the message gives: set it again
      await setVariable(server.owner, { project: slug, environment: "development", key: "A", value: "set-again" });
      expect(await read(slug, "development")).toEqual({ A: "set-again", B: values.devB });
    },
  );
});
