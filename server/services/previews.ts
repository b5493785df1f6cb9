/**
 * Preview environments: `preview/<branch>`, a custom environment cloned server-side (secrets
 * included, decrypted and sealed again for the new environment) from the environment a project
 * branch deploys with, plus overrides with `${PREVIEW_URL}` replaced by the deployment's URL; the
 * branch is mapped to it (an exact entry). All of it is one write: one transaction, one event,
 * one revision. Deleting the branch deletes its preview (`deletePreviewOf`).
 */

import { resolveBranch } from "../../core/mapping.js";
import { branchName, check, type FieldError, previewNameFor, variableValue } from "../../core/names.js";
import { assertCan, type ProjectAccess } from "../authz/index.js";
import type { Database, Tx } from "../db/client.js";
import type { WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import {
  markManaged,
  type PreviewBindingChoice,
  type PreviewBindingOutcome,
  previewBindingErrors,
  previewBindings,
} from "./bindings.js";
import { loadMapping } from "./branches.js";
import { assertValid, ConflictError, NotFoundError } from "./errors.js";
import { type EnvironmentRow, findBranch, findEnvironment } from "./lookup.js";
import { copyNotes } from "./notes.js";
import { deletePreviewOf } from "./preview-of.js";
import { isUniqueViolation } from "./transaction.js";
import type { NewValue, ValueStore } from "./values.js";
import { assertBulkSize, variableListErrors } from "./variables.js";

export { deletePreviewOf };

export const PREVIEW_URL_PLACEHOLDER = "${PREVIEW_URL}";

export interface PreviewOverride {
  key: string;
  value: string;
  /** Stored as secret; unset: the source variable's type, standard for a new key. */
  secret?: boolean | null;
}

export interface CreatePreviewInput {
  project: string;
  /** The project branch (created when it does not exist). */
  branch: string;
  /** Clone this environment; default: the one the branch deploys with now. */
  from?: string | null;
  /** The deployment's URL (http or https); replaces `${PREVIEW_URL}` in the overrides. */
  url: string;
  overrides?: PreviewOverride[] | null;
  /** Service bindings: per binding, share the parent's credential or give the preview its own (bindings.ts). */
  bindings?: PreviewBindingChoice[] | null;
  /** Share the parent's credential of every binding not in `bindings` (GitHub-created previews; not in GraphQL). */
  shareBindings?: boolean;
  /** Why: kept with the revision (at most 500 characters). */
  message?: string | null;
}

export interface PreviewResult {
  environment: EnvironmentRow;
  branch: { id: string; name: string };
  branchCreated: boolean;
  from: { id: string; name: string };
  url: string;
  /** Keys cloned from the source (secrets included). */
  copied: string[];
  /** Keys set from the overrides (new or replacing a cloned value). */
  overridden: string[];
  /** Per binding: whether the preview shares its parent's credential or has its own. */
  bindings: PreviewBindingOutcome[];
}

/** Problems of a preview URL: http or https, absolute, without user name or password. */
export function previewUrlErrors(url: string): FieldError[] {
  const bad = (message: string) => [{ path: ["url"], message }];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return bad("url is not an absolute URL. Give the deployment's address, e.g. https://pr-42.example.com.");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return bad(`url must start with http:// or https:// (got ${parsed.protocol}). E.g. https://pr-42.example.com.`);
  if (parsed.username || parsed.password)
    return bad("url must not contain a user name or password (it is stored and shown in plain text).");
  if (url.length > 2048) return bad("url is longer than 2048 characters.");
  return [];
}

/** The first free name: `preview/x`, else `preview/x-2`, `preview/x-3`, … */
async function freeName(tx: Tx, projectId: string, base: string): Promise<string> {
  const taken = new Set(
    (await tx.environment.findMany({ where: { projectId, name: { startsWith: base } }, select: { name: true } })).map(
      (e) => e.name,
    ),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * Maps `branch` to `environmentId` with an exact entry: an existing entry for the branch is
 * pointed at it (keeping its place); else a new one goes right before the first wildcard or
 * pattern entry. Returns the environment the branch was explicitly mapped to before, if any.
 */
async function mapBranch(tx: Tx, projectId: string, branch: string, environmentId: string): Promise<string | null> {
  const rows = await tx.mappingEntry.findMany({
    where: { projectId },
    orderBy: { position: "asc" },
    select: { id: true, branch: true, position: true, environment: { select: { name: true } } },
  });
  const exact = rows.find((r) => r.branch === branch);
  if (exact) {
    await tx.mappingEntry.update({ where: { id: exact.id }, data: { environmentId } });
    return exact.environment.name;
  }
  const firstPattern = rows.find((r) => r.branch.includes("*"));
  const position = firstPattern ? firstPattern.position : rows.length ? rows[rows.length - 1].position + 1 : 0;
  if (firstPattern)
    await tx.mappingEntry.updateMany({
      where: { projectId, position: { gte: position } },
      data: { position: { increment: 1 } },
    });
  await tx.mappingEntry.create({ data: { projectId, environmentId, branch, position } });
  return null;
}

export function previewService({
  db,
  values,
  writes,
}: {
  db: Pick<Database, "reader">;
  values: ValueStore;
  writes: WritePath;
}) {
  return {
    /**
     * Who may: whoever may create environments and change the mapping, and write the source
     * (secrets included: cloning moves them where other tokens may resolve them), and create
     * project branches when the branch is new.
     */
    async createPreview(actor: Actor, input: CreatePreviewInput): Promise<PreviewResult> {
      const overrides = input.overrides ?? [];
      assertBulkSize(overrides.length, "overrides");
      const resolved = overrides.map((o) => ({ ...o, value: o.value.replaceAll(PREVIEW_URL_PLACEHOLDER, input.url) }));
      assertValid([
        ...check(branchName, input.branch, ["branch"]),
        ...previewUrlErrors(input.url),
        ...variableListErrors(overrides).map((e) => ({ ...e, path: ["overrides", ...e.path.slice(1)] })),
        // The value as stored (the URL put in) must fit too.
        ...resolved.flatMap((o, i) => check(variableValue, o.value, ["overrides", String(i), "value"])),
        ...previewBindingErrors(input.bindings ?? []),
      ]);
      let source: EnvironmentRow | null = null;
      let existingBranch: { id: string; name: string } | null = null;
      const authorize = async ({ access }: { access: ProjectAccess }) => {
        assertCan(access, "mapping:manage");
        existingBranch = await db.reader.projectBranch.findUnique({
          where: { projectId_name: { projectId: access.project.id, name: input.branch } },
          select: { id: true, name: true },
        });
        if (!existingBranch) assertCan(access, "branch:manage");
        if (input.from) source = await findEnvironment(db.reader, access, input.from);
        else {
          const target = resolveBranch(await loadMapping(db.reader, access.project.id), input.branch).environment;
          source = await findEnvironment(db.reader, access, target).catch(() => {
            throw new NotFoundError(
              `Branch "${input.branch}" maps to environment "${target}", which does not exist in project ` +
                `"${access.project.slug}". Name the environment to clone with --from (input.from).`,
              "Environment",
            );
          });
        }
        // Cloning copies the source's secrets: only for those who may write them there.
        assertCan(access, "variable:read-value", source);
        assertCan(access, "environment:write", source);
      };
      const conflict = () =>
        new ConflictError(
          `Project branch "${input.branch}" already has a preview environment. Delete it first ` +
            `("envplane preview delete ${input.branch}") or change its variables with envplane env set.`,
        );
      try {
        return await writes.run(
          {
            actor,
            action: "preview.create",
            project: input.project,
            permission: "environment:manage",
            authorize,
            message: input.message,
          },
          async (uow) => {
            const { tx, access, record } = uow;
            const projectId = access.project.id;
            const from = source!;
            let branch = existingBranch
              ? await tx.projectBranch.findUnique({
                  where: { id: existingBranch.id },
                  select: { id: true, name: true },
                })
              : null;
            const branchCreated = !branch;
            if (!branch) {
              if (existingBranch) assertCan(access, "branch:manage");
              branch = await tx.projectBranch.create({
                data: { projectId, name: input.branch },
                select: { id: true, name: true },
              });
            }
            if (await tx.environment.findUnique({ where: { previewBranchId: branch.id }, select: { id: true } }))
              throw conflict();
            const name = await freeName(tx, projectId, previewNameFor(input.branch));
            const created = await tx.environment.create({
              data: {
                projectId,
                name,
                isProtected: false,
                previewBranchId: branch.id,
                previewOf: from.id,
                previewUrl: input.url,
              },
              select: { id: true, name: true, isDefault: true, isProtected: true, revision: true },
            });
            const revision = await uow.bump(created);
            // Base values as the branch sees them (its overrides applied), secrets decrypted to be sealed again.
            const cloned = await values.load(
              tx,
              {
                projectId,
                environmentId: from.id,
                branchId: branchCreated ? null : branch.id,
                label: { project: access.project.slug, environment: from.name },
              },
              { secrets: true },
            );
            const byKey = new Map<string, NewValue>(
              cloned.map((v) => [v.key, { key: v.key, value: v.value!, isSecret: v.isSecret }]),
            );
            for (const o of resolved)
              byKey.set(o.key, {
                key: o.key,
                value: o.value,
                isSecret: o.secret ?? byKey.get(o.key)?.isSecret ?? false,
              });
            // Service bindings: each credential is the parent's (shared) or the preview's own, as chosen.
            const choices = input.bindings ?? [];
            const overridden = resolved.map((o) => o.key);
            const bound = await previewBindings(tx, projectId, from, cloned, choices, overridden, input.shareBindings);
            for (const b of bound.values) byKey.set(b.key, { key: b.key, value: b.value, isSecret: true });
            const writesList = [...byKey.values()];
            const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
              where: { id: projectId },
              select: { activeKeyVersion: true },
            });
            await values.upsert(
              tx,
              { projectId, environmentId: created.id, keyVersion: activeKeyVersion, valueVersion: revision },
              writesList,
            );
            // Notes and .env layout come along (re-sealed for the preview); an override's key keeps the source's note.
            const copied = writesList.map((w) => w.key);
            await copyNotes(values, tx, { projectId, from: from.id, to: created.id, noteVersion: revision }, copied);
            await markManaged(tx, created.id, bound.values);
            const previousMapping = await mapBranch(tx, projectId, branch.name, created.id);
            record({
              branchId: branch.id,
              keys: writesList.map((w) => w.key),
              metadata: {
                name,
                branch: branch.name,
                branchCreated,
                from: from.id,
                fromName: from.name,
                url: input.url,
                copied: cloned.length,
                overridden: resolved.map((o) => o.key),
                previousMapping,
                bindings: bound.outcomes,
              },
            });
            return {
              environment: { ...created, revision },
              branch,
              branchCreated,
              from: { id: from.id, name: from.name },
              url: input.url,
              copied: cloned.map((v) => v.key),
              overridden: resolved.map((o) => o.key),
              bindings: bound.outcomes,
            };
          },
        );
      } catch (error) {
        if (isUniqueViolation(error))
          throw new ConflictError(
            `Another write created project branch "${input.branch}", its preview or an environment of the same ` +
              `name at the same time. Run "envplane preview list" and try again.`,
          );
        throw error;
      }
    },

    /** For other services' transactions (deleting a branch): see preview-of.ts. */
    deletePreviewOf,

    /** Deletes a branch's preview environment and its mapping entry; the project branch stays. */
    async deletePreview(actor: Actor, input: { project: string; branch: string }) {
      assertValid(check(branchName, input.branch, ["branch"]));
      let branch: { id: string; name: string } | null = null;
      const authorize = async ({ access }: { access: ProjectAccess }) => {
        branch = await findBranch(db.reader, access, input.branch);
        const env = await db.reader.environment.findUnique({
          where: { previewBranchId: branch.id },
          select: { id: true },
        });
        if (!env)
          throw new NotFoundError(
            `Project branch "${input.branch}" has no preview environment. Run "envplane preview list" to see them.`,
            "Environment",
          );
      };
      return writes.run(
        { actor, action: "preview.delete", project: input.project, permission: "environment:manage", authorize },
        async ({ tx, record }) => {
          const { id, name } = branch!;
          const deleted = await deletePreviewOf(tx, id);
          if (!deleted)
            throw new NotFoundError(`Project branch "${name}" has no preview environment (any more).`, "Environment");
          record({ environmentId: deleted.id, branchId: id, metadata: { name: deleted.name, branch: name } });
          return { name: deleted.name, branch: name };
        },
      );
    },
  };
}

export type PreviewService = ReturnType<typeof previewService>;
