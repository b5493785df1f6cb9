/** A project branch's preview environment, deleted with the branch (own module: branches.ts and previews.ts both use it). */
import type { Tx } from "../db/client.js";

/**
 * Deletes the preview environment serving `branchId` (its values, history and mapping entry go
 * with it), inside the caller's transaction. Returns what was deleted, null when there was none.
 */
export async function deletePreviewOf(
  tx: Pick<Tx, "environment">,
  branchId: string,
): Promise<{ id: string; name: string } | null> {
  const env = await tx.environment.findUnique({
    where: { previewBranchId: branchId },
    select: { id: true, name: true },
  });
  if (!env) return null;
  await tx.environment.delete({ where: { id: env.id } });
  return env;
}
