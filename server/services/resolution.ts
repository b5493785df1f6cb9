/**
 * Resolution: what a developer pulls (standard values, secrets listed by key only) and
 * what a deployed app gets at boot (mapping -> environment -> override -> base, secrets
 * included, service tokens with the runtime permission only).
 */

import { resolveBranch } from "../../core/mapping.js";
import { branchName, check } from "../../core/names.js";
import { assertCan, can, projectAccess } from "../authz/index.js";
import type { Database } from "../db/client.js";
import type { Actor } from "./actor.js";
import { auditRead } from "./audit.js";
import { loadMapping } from "./branches.js";
import { assertValid, ForbiddenError, NotFoundError, ValidationError } from "./errors.js";
import { recordLive } from "./live.js";
import { branchNotFound, findBranch, findProjectEnvironment } from "./lookup.js";
import { NoteStore } from "./notes.js";
import { resolveReferences } from "./references.js";
import type { ValueStore } from "./values.js";

export function resolutionService({
  db,
  values,
  log,
}: {
  db: Pick<Database, "reader" | "writer" | "provider">;
  values: ValueStore;
  /** Server log lines (why an audit write failed); never values. */
  log?: (line: string) => void;
}) {
  async function mappedEnvironment(projectId: string, slug: string, branch: string) {
    const resolved = resolveBranch(await loadMapping(db.reader, projectId), branch);
    const env = await db.reader.environment.findUnique({
      where: { projectId_name: { projectId, name: resolved.environment } },
      select: { id: true, name: true, isDefault: true, isProtected: true, revision: true },
    });
    if (!env)
      throw new NotFoundError(
        `Branch "${branch}" maps to environment "${resolved.environment}", which does not exist in project ` +
          `"${slug}". Fix the mapping (envplane mapping set).`,
        "Environment",
      );
    return { env, matchedBy: resolved.matchedBy };
  }

  return {
    async resolveBranch(actor: Actor, input: { project: string; branch: string }) {
      assertValid(check(branchName, input.branch, ["branch"]));
      const access = await projectAccess(db.reader, actor, input.project);
      const { env, matchedBy } = await mappedEnvironment(access.project.id, access.project.slug, input.branch);
      // A token scoped to some environments learns nothing of the others, not even which one a branch deploys with.
      if (!can(access, "environment:read", env))
        throw new ForbiddenError(
          `Branch "${input.branch}" deploys with an environment this token cannot see. Use a token for that environment.`,
        );
      return { branch: input.branch, environment: env, matchedBy };
    },

    async pullVariables(actor: Actor, input: { project: string; environment: string; branch?: string | null }) {
      const read = { secrets: false, layout: { notes: true } };
      // PostgreSQL: the values are read by name while the lookup runs, each on its own pooled connection (one round
      // trip before decryption, not two). They are used only once the lookup allowed the read, and only when they are
      // of the environment, branch and revision it found; otherwise, and when there are none, they are read again by
      // id (the rows read by name are dropped undecrypted).
      const prefetched =
        db.provider === "postgresql"
          ? values
              .readNamed(
                db.reader,
                {
                  project: input.project,
                  environment: input.environment,
                  branch: input.branch ?? null,
                  caller: actor.kind === "user" ? { userId: actor.userId } : { projectId: actor.projectId },
                },
                { ...read, references: true },
              )
              .catch((error: unknown) => {
                log?.(
                  `Pull by name failed, read again by id: ${error instanceof Error ? error.message : String(error)}`,
                );
                return null;
              })
          : null;
      const found = await findProjectEnvironment(db.reader, actor, input.project, input.environment, input.branch);
      const { access, env } = found;
      assertCan(access, "variable:read-value", env);
      if (input.branch != null && env.name === "development")
        throw new ValidationError(
          '"development" is not mapped to any project branch, so it has no branch overrides. Pull it without a branch.',
          [{ path: ["branch"], message: "No branches on development." }],
        );
      if (input.branch != null && !found.branch) throw branchNotFound(access, input.branch);
      const branch = input.branch != null ? found.branch : null;
      const label = { project: access.project.slug, environment: env.name };
      const scope = { projectId: access.project.id, environmentId: env.id, branchId: branch?.id, label };
      // Values, layout, notes and which values reference project variables, in one statement.
      const named = await prefetched;
      const rows =
        named &&
        named.environmentId === env.id &&
        named.branchId === (branch?.id ?? null) &&
        named.revision === env.revision
          ? named.rows
          : await values.read(db.reader, scope, { ...read, references: true });
      const record = (keys: string[], excludedSecrets: number) =>
        auditRead(
          db.writer,
          actor,
          "variables.pull",
          {
            projectId: access.project.id,
            environmentId: env.id,
            branchId: branch?.id ?? null,
            revision: env.revision,
            keys,
            metadata: { environment: env.name, ...(branch ? { branch: branch.name } : {}), excludedSecrets },
          },
          undefined,
          log,
        );
      // The read is recorded before anything is returned: no audit row, no values. When no value references a project
      // variable, the keys returned are known before decryption (the standard ones) and the row is written meanwhile
      // (PostgreSQL: its round trip overlaps the decryption); a pull that then fails stays recorded as attempted.
      const earlyKeys = rows.filter((r) => !r.isSecret).map((r) => r.key);
      const early = rows.every(
        (r) => r.isSecret || (r.overrideValueVersion !== null ? r.overrideReferences : r.references) === "[]",
      )
        ? record(earlyKeys, rows.length - earlyKeys.length)
        : null;
      early?.catch(() => {}); // settled below, before anything is returned
      // pg sends a statement from a process.nextTick, which runs only once the decryption's microtasks are done.
      if (early && db.provider === "postgresql") await new Promise((sent) => setImmediate(sent));
      const opened = async () => {
        const loaded = await values.open(db.reader, scope, read, rows);
        const stored = await resolveReferences(db.reader, values, { projectId: access.project.id, label }, loaded, {
          secrets: false,
        });
        const notes = await NoteStore.of(values).fromRows(
          { projectId: access.project.id, environmentId: env.id },
          loaded.map((v) => v.layout!),
          true,
        );
        const layout = new Map(
          notes.map((n) => [n.key, { note: n.note ?? null, position: n.position, blankLineBefore: n.blankLineBefore }]),
        );
        const variables = stored
          .filter((v) => !v.isSecret)
          .map((v) => ({
            key: v.key,
            value: v.value!,
            fromOverride: v.fromOverride,
            reference: v.reference,
            ...layout.get(v.key),
          }));
        return { variables, excludedSecrets: stored.filter((v) => v.isSecret).map((v) => v.key) };
      };
      const { variables, excludedSecrets } = await opened().catch(async (error) => {
        await early?.catch(() => {}); // an attempted pull's row is in the log before its error is returned
        throw error;
      });
      await early;
      // A value stored before references existed (migration 0009) has "[]" for them whatever its text: when its text
      // references a secret project variable, the early row listed a key that was withheld. The exact row follows it.
      const stale = early !== null && variables.length !== earlyKeys.length;
      if (stale)
        log?.(
          `Pull of environment ${env.id} (project ${access.project.id}): values reference project variables that their ` +
            `references column does not list; the audit row of the keys returned follows the one of the keys read.`,
        );
      if (!early || stale)
        await record(
          variables.map((v) => v.key),
          excludedSecrets.length,
        );
      return { environment: env, branch: branch?.name ?? null, revision: env.revision, variables, excludedSecrets };
    },

    async runtimeVariables(actor: Actor, input: { project: string; branch: string }) {
      assertValid(check(branchName, input.branch, ["branch"]));
      const access = await projectAccess(db.reader, actor, input.project);
      const branch = await findBranch(db.reader, access, input.branch);
      const { env } = await mappedEnvironment(access.project.id, access.project.slug, branch.name);
      assertCan(access, "runtime:resolve", env);
      const label = { project: access.project.slug, environment: env.name };
      const stored = await resolveReferences(
        db.reader,
        values,
        { projectId: access.project.id, label },
        await values.load(
          db.reader,
          { projectId: access.project.id, environmentId: env.id, branchId: branch.id, label },
          { secrets: true },
        ),
        { secrets: true },
      );
      await auditRead(
        db.writer,
        actor,
        "variables.resolve",
        {
          projectId: access.project.id,
          environmentId: env.id,
          branchId: branch.id,
          revision: env.revision,
          keys: stored.map((v) => v.key),
          metadata: { environment: env.name, branch: branch.name },
        },
        (tx) => recordLive(tx, { projectId: access.project.id, branchId: branch.id, env, tokenId: actor.tokenId }),
        log,
      );
      return {
        environment: env,
        branch: branch.name,
        revision: env.revision,
        variables: stored.map((v) => ({
          key: v.key,
          value: v.value!,
          isSecret: v.isSecret,
          fromOverride: v.fromOverride,
        })),
      };
    },
  };
}
