/** A project branch's preview environment, deleted with the branch (own module: branches.ts and previews.ts both use it). */
import type { Tx } from "../db/client.js";
import { ConflictError } from "./errors.js";

/**
 * Deletes the preview environment serving `branchId` (its values, history and its branch's exact mapping
 * entry go with it), inside the caller's transaction. Any other mapping entry pointing at the preview (a
 * wildcard or pattern an admin mapped there) is not dropped silently: the deletion is refused, naming it.
 * Returns what was deleted, null when there was none.
 */
export async function deletePreviewOf(
  tx: Pick<Tx, "environment" | "mappingEntry" | "projectBranch">,
  branchId: string,
): Promise<{ id: string; name: string } | null> {
  const env = await tx.environment.findUnique({
    where: { previewBranchId: branchId },
    select: { id: true, name: true },
  });
  if (!env) return null;
  const branch = await tx.projectBranch.findUniqueOrThrow({ where: { id: branchId }, select: { name: true } });
  const others = await tx.mappingEntry.findMany({
    where: { environmentId: env.id, branch: { not: branch.name } },
    select: { branch: true },
    orderBy: { position: "asc" },
  });
  if (others.length)
    throw new ConflictError(
      `The mapping also sends ${others.map((o) => `"${o.branch}"`).join(", ")} to ${env.name}: deleting the preview ` +
        `would drop ${others.length === 1 ? "that entry" : "those entries"}. Point ` +
        `${others.length === 1 ? "it" : "them"} at another environment first (envplane mapping set), then retry.`,
    );
  await tx.mappingEntry.deleteMany({ where: { environmentId: env.id, branch: branch.name } });
  await tx.environment.delete({ where: { id: env.id } });
  return env;
}
