/**
 * What is live: every runtimeVariables call records, per project branch, which environment at which revision it
 * served, when and to which token (BranchLive, upserted in the read's audit transaction). A branch's status
 * compares that with what its mapping resolves to now: the keys changed since (base values, or this branch's
 * overrides), and whether the branch now deploys with another environment altogether.
 */
import { resolveBranch } from "../../core/mapping.js";
import { can, type ProjectAccess } from "../authz/index.js";
import type { Db, Tx } from "../db/client.js";
import { loadMapping } from "./branches.js";

export interface LiveRow {
  branchId: string;
  environmentId: string;
  environmentName: string;
  revision: number;
  servedAt: Date;
  tokenId: string | null;
}

export async function recordLive(
  tx: Pick<Tx, "$executeRaw">,
  live: { projectId: string; branchId: string; env: { id: string; name: string; revision: number }; tokenId: string },
): Promise<void> {
  const { projectId, branchId, env, tokenId } = live;
  const now = new Date();
  // One raw statement on the runtime path (no query planning).
  await tx.$executeRaw`
    INSERT INTO "BranchLive" ("branchId", "projectId", "environmentId", "environmentName", "revision", "servedAt", "tokenId")
    VALUES (${branchId}, ${projectId}, ${env.id}, ${env.name}, ${env.revision}, ${now}, ${tokenId})
    ON CONFLICT ("branchId") DO UPDATE SET "environmentId" = ${env.id}, "environmentName" = ${env.name},
      "revision" = ${env.revision}, "servedAt" = ${now}, "tokenId" = ${tokenId}`;
}

export interface BranchStatus {
  environment: { id: string; name: string; revision: number };
  currentRevision: number;
  liveRevision: number | null;
  pendingKeys: string[];
  redeployNeeded: boolean;
  environmentChanged: boolean;
}

type Reader = Pick<Db, "branchLive" | "mappingEntry" | "environment" | "revisionChange">;

/** The live rows of several branches, in one statement (a branch never served is absent). */
export async function branchLives(
  db: Pick<Db, "branchLive">,
  branchIds: readonly string[],
): Promise<Map<string, LiveRow>> {
  const rows = await db.branchLive.findMany({ where: { branchId: { in: [...branchIds] } } });
  return new Map(rows.map((r) => [r.branchId, r]));
}

/** The live row of a branch, when the caller may see the environment it names (else null). */
export function visibleLive(access: ProjectAccess, live: LiveRow | undefined): LiveRow | null {
  return live && can(access, "environment:read", { id: live.environmentId }) ? live : null;
}

/**
 * The statuses of several branches of one project, in a constant number of statements: the mapping, the mapped
 * environments, and the pending keys of all branches at once (their live rows are given). Null for a branch whose
 * mapping names an environment that does not exist or that the caller may not see. Pending keys: keys the mapped
 * environment's history changed after the live revision, on base values or on this branch's overrides (none while
 * nothing was ever served, or when the live environment is another one).
 */
export async function branchStatuses(
  db: Reader,
  access: ProjectAccess,
  branches: readonly { id: string; name: string }[],
  lives: Map<string, LiveRow>,
): Promise<(BranchStatus | null)[]> {
  const mapping = await loadMapping(db, access.project.id);
  const mapped = branches.map((b) => resolveBranch(mapping, b.name).environment);
  const envs = await db.environment.findMany({
    where: { projectId: access.project.id, name: { in: [...new Set(mapped)] } },
    select: { id: true, name: true, revision: true, isProtected: true },
  });
  const envByName = new Map(envs.map((e) => [e.name, e]));
  const behind = branches.flatMap((branch, i) => {
    const env = envByName.get(mapped[i]);
    const live = lives.get(branch.id);
    return env && live && live.environmentId === env.id && live.revision < env.revision ? [{ branch, env, live }] : [];
  });
  // The history, not the audit log: exact per branch (a restore or a base removal touching other branches'
  // overrides records those under their branch), and audit retention does not shorten it. One statement for all
  // branches: the newest change per (environment, branch-or-base, key) among those newer than some live revision;
  // a key is pending on a branch when its newest change (base or this branch's) is newer than the branch's live one.
  const newest = behind.length
    ? await db.revisionChange.groupBy({
        by: ["environmentId", "branchId", "key"],
        where: {
          OR: behind.map(({ branch, env, live }) => ({
            environmentId: env.id,
            branchId: { in: ["", branch.id] },
            revision: { gt: live.revision },
          })),
        },
        _max: { revision: true },
      })
    : [];
  return branches.map((branch, i) => {
    const env = envByName.get(mapped[i]);
    if (!env || !can(access, "environment:read", env)) return null;
    const live = lives.get(branch.id);
    const environmentChanged = !!live && live.environmentId !== env.id;
    const pending = new Set<string>();
    if (live && !environmentChanged)
      for (const c of newest)
        if (c.environmentId === env.id && (c.branchId === "" || c.branchId === branch.id))
          if ((c._max.revision ?? 0) > live.revision) pending.add(c.key);
    const pendingKeys = [...pending].sort();
    return {
      environment: { id: env.id, name: env.name, revision: env.revision },
      currentRevision: env.revision,
      liveRevision: live?.revision ?? null,
      pendingKeys,
      redeployNeeded: environmentChanged || pendingKeys.length > 0,
      environmentChanged,
    };
  });
}
