/** "N changes not yet live on <branch>": what a branch's deployment last got at runtime, against its environment now. */
import { useQuery } from "@tanstack/react-query";
import { api } from "../lib/api.js";
import { keys } from "../lib/queries.js";
import { Badge } from "./ui.js";

/** Every branch's live revision and status (one request per project; refreshed with the project's queries). */
export function useBranchStatus(slug: string) {
  return useQuery({
    queryKey: [...keys.project(slug), "live"],
    queryFn: async () => (await api.branchStatus({ project: slug })).project,
  });
}

export function LiveBadge({ slug, branch }: { slug: string; branch: string }) {
  const status = useBranchStatus(slug);
  const b = status.data?.branches.find((x) => x.name === branch);
  if (!b?.status) return null;
  const s = b.status;
  if (!b.live)
    return (
      <span className="text-xs text-zinc-500" title="No deployment of this branch has resolved its variables yet.">
        never served
      </span>
    );
  const served = `Live: ${b.live.environmentName} revision ${b.live.revision}, served ${new Date(b.live.servedAt).toLocaleString()}`;
  if (s.environmentChanged)
    return (
      <span title={served}>
        <Badge tone="amber">Redeploy: now maps to {s.environment.name}</Badge>
      </span>
    );
  if (s.pendingChanges > 0)
    return (
      <span title={`${served}. Not yet live: ${s.pendingKeys.join(", ")}`}>
        <Badge tone="amber">
          {s.pendingChanges} {s.pendingChanges === 1 ? "change" : "changes"} not yet live on {branch}
        </Badge>
      </span>
    );
  return (
    <span title={served}>
      <Badge tone="zinc">live at revision {b.live.revision}</Badge>
    </span>
  );
}
