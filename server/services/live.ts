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

/** The live row of a branch, when the caller may see the environment it names (else null). */
export async function branchLive(db: Reader, access: ProjectAccess, branchId: string): Promise<LiveRow | null> {
  const live = await db.branchLive.findUnique({ where: { branchId } });
  if (!live || !can(access, "environment:read", { id: live.environmentId })) return null;
  return live;
}

/**
 * A branch's status: null when its mapping names an environment that does not exist or that the caller may not
 * see. Pending keys: keys the mapped environment's history changed after the live revision, on base values or on
 * this branch's overrides (none while nothing was ever served, or when the live environment is another one).
 */
export async function branchStatus(
  db: Reader,
  access: ProjectAccess,
  branch: { id: string; name: string },
): Promise<BranchStatus | null> {
  const mapped = resolveBranch(await loadMapping(db, access.project.id), branch.name);
  const env = await db.environment.findUnique({
    where: { projectId_name: { projectId: access.project.id, name: mapped.environment } },
    select: { id: true, name: true, revision: true, isProtected: true },
  });
  if (!env || !can(access, "environment:read", env)) return null;
  const live = await db.branchLive.findUnique({ where: { branchId: branch.id } });
  const environmentChanged = !!live && live.environmentId !== env.id;
  let pendingKeys: string[] = [];
  if (live && !environmentChanged && live.revision < env.revision) {
    // The history, not the audit log: exact per branch (a restore or a base removal touching other branches'
    // overrides records those under their branch), and audit retention does not shorten it.
    const changes = await db.revisionChange.findMany({
      where: { environmentId: env.id, revision: { gt: live.revision }, branchId: { in: ["", branch.id] } },
      distinct: ["key"],
      select: { key: true },
    });
    pendingKeys = changes.map((c) => c.key).sort();
  }
  return {
    environment: env,
    currentRevision: env.revision,
    liveRevision: live?.revision ?? null,
    pendingKeys,
    redeployNeeded: environmentChanged || pendingKeys.length > 0,
    environmentChanged,
  };
}
