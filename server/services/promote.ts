/**
 * Promoting: the source environment's state (now, or at `fromRevision`) applied to the target
 * in one write, with the seeding review (KEEP / EDIT / SKIP per key) and the seeding rules:
 * secrets are carried on the server only by a caller who may write the source as well as the
 * target (else they are reported in `skippedSecrets`), existing keys keep their type, and
 * `prune` removes target keys the source does not have. `dryRun` shows the entries (target now
 * against the result) and writes nothing.
 */

import { MAX_BULK_ITEMS } from "../../core/limits.js";
import { assertCan, can, type ProjectAccess } from "../authz/index.js";
import type { Database } from "../db/client.js";
import { Rollback, type WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { leaveManaged, managedOfCopy } from "./bindings.js";
import { type ComparisonEntry, compareStates, stateReader } from "./compare.js";
import { keepTargetTypes, planSeed, type SeedDecision } from "./environments.js";
import { ValidationError } from "./errors.js";
import { type EnvironmentRow, findEnvironment } from "./lookup.js";
import { copyNotes } from "./notes.js";
import type { StoredValue, ValueStore } from "./values.js";

export interface PromoteInput {
  project: string;
  from: string;
  fromRevision?: number | null;
  to: string;
  decisions?: SeedDecision[] | null;
  prune?: boolean | null;
  dryRun?: boolean | null;
  expectedRevision?: number | null;
  message?: string | null;
}

export interface PromoteResult {
  environment: EnvironmentRow;
  revision: number;
  /** The source revision that was promoted. */
  fromRevision: number;
  applied: boolean;
  dryRun: boolean;
  entries: ComparisonEntry[];
  copied: string[];
  edited: string[];
  skipped: string[];
  removed: string[];
  skippedSecrets: string[];
}

function validate(input: PromoteInput) {
  if (input.from === input.to)
    throw new ValidationError(`Cannot promote "${input.to}" onto itself. Pick another source or target.`, [
      { path: ["to"], message: "Source and target are the same." },
    ]);
  if (input.decisions && input.decisions.length > MAX_BULK_ITEMS)
    throw new ValidationError(
      `decisions has ${input.decisions.length} items; one request takes at most ${MAX_BULK_ITEMS.toLocaleString("en-US")}.`,
      [{ path: ["decisions"], message: `At most ${MAX_BULK_ITEMS} items.` }],
    );
}

export function promoteService({
  db,
  values,
  writes,
}: {
  db: Pick<Database, "reader">;
  values: ValueStore;
  writes: WritePath;
}) {
  const loadAt = stateReader(values);
  return {
    async promoteEnvironment(actor: Actor, input: PromoteInput): Promise<PromoteResult> {
      validate(input);
      let source: EnvironmentRow | null = null;
      const authorize = async ({ access }: { access: ProjectAccess }) => {
        source = await findEnvironment(db.reader, access, input.from);
        assertCan(access, "variable:read-value", source);
      };
      const spec = {
        actor,
        action: "environment.promote",
        project: input.project,
        environment: input.to,
        permission: "environment:write",
        authorize,
        bump: true,
        expectedRevision: input.expectedRevision,
        message: input.message,
      } as const;
      return writes.run(spec, async (uow) => {
        const { tx, access, env: target, revision } = uow;
        const projectId = access.project.id;
        const { revision: sourceRevision } = await tx.environment.findUniqueOrThrow({
          where: { id: source!.id },
          select: { revision: true },
        });
        const from = { ...source!, revision: sourceRevision };
        // The target's write is asserted by the write path; carrying a secret also needs the source's.
        const mayCopySecrets = can(access, "environment:write", from);
        const state = await loadAt(
          tx,
          { access, env: from, revision: input.fromRevision ?? null },
          { secrets: mayCopySecrets },
          ["fromRevision"],
        );
        // Service bindings: the source's credentials are not copied, the target's are never written or pruned.
        const managed = await managedOfCopy(tx, from.id, target.id);
        const decisions = input.decisions?.filter((d) => !managed.fromSource.has(d.key));
        const all = state.values.filter((v) => !managed.fromSource.has(v.key));
        const withheld = decisions || mayCopySecrets ? [] : all.filter((v) => v.isSecret).map((v) => v.key);
        const plan = planSeed(withheld.length ? all.filter((v) => !v.isSecret) : all, decisions, from.name, {
          keepSecrets: mayCopySecrets,
        });
        plan.summary.skipped.push(...withheld, ...managed.fromSource);
        plan.summary.skippedSecrets = withheld;

        // Comparing with the target's values needs the right to read them: without it every
        // carried key counts as changed, so the plan tells nothing about a stored value.
        const readable = can(access, "variable:read-value", target);
        const label = { project: access.project.slug, environment: target.name };
        const current = await values.load(
          tx,
          { projectId, environmentId: target.id, label },
          { secrets: readable, values: readable },
        );
        const existing = new Map(current.map((v) => [v.key, v.isSecret]));
        const carried = decisions ? new Set(decisions.filter((d) => d.action === "KEEP").map((d) => d.key)) : null;
        const planned = leaveManaged(
          keepTargetTypes(plan, existing, all, carried, { source: from, target }),
          target,
          managed.inTarget,
          !!decisions,
          plan.summary,
        );

        const sourceKeys = new Set(all.map((v) => v.key));
        const removed = input.prune
          ? current.filter((v) => !sourceKeys.has(v.key) && !managed.inTarget.has(v.key)).map((v) => v.key)
          : [];
        const result = new Map<string, StoredValue>(current.map((v) => [v.key, v]));
        for (const w of planned) result.set(w.key, { ...w, fromOverride: false });
        for (const key of removed) result.delete(key);
        // Secrets compared as they are: the caller may write the target (asserted by the write path), a source
        // secret is loaded only with write on the source too, and an EDIT value is the caller's own.
        const entries = compareStates(current, [...result.values()], readable);
        const changedKeys = new Set(
          entries.filter((e) => e.status === "ADDED" || e.status === "CHANGED").map((e) => e.key),
        );
        const written = planned.filter((w) => changedKeys.has(w.key));
        const { copied, edited, skipped, skippedSecrets } = plan.summary;
        const outcome = (applied: boolean): PromoteResult => ({
          environment: { ...target, revision: applied ? revision : revision - 1 },
          revision: applied ? revision : revision - 1,
          fromRevision: state.revision,
          applied,
          dryRun: !!input.dryRun,
          entries,
          copied,
          edited,
          skipped,
          removed,
          skippedSecrets,
        });
        if (input.dryRun || (!written.length && !removed.length)) throw new Rollback(outcome(false));

        const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
          where: { id: projectId },
          select: { activeKeyVersion: true },
        });
        await values.upsert(
          tx,
          { projectId, environmentId: target.id, keyVersion: activeKeyVersion, valueVersion: revision },
          written,
        );
        // The source's notes and layout go with the keys it writes (re-sealed for the target).
        await copyNotes(
          values,
          tx,
          { projectId, from: from.id, to: target.id, noteVersion: revision },
          written.map((w) => w.key),
        );
        if (removed.length) await uow.removing(removed);
        await values.remove(tx, target.id, removed);
        uow.record({
          keys: [...written.map((w) => w.key), ...removed],
          metadata: {
            from: from.id,
            fromName: from.name,
            fromRevision: state.revision,
            written: written.length,
            removed: removed.length,
            skipped: skipped.length,
            skippedSecrets,
          },
        });
        return outcome(true);
      });
    },
  };
}
