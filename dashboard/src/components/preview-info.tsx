/** Preview environments seen from elsewhere: which environments are previews, and where a preview comes from. */
import { useQuery } from "@tanstack/react-query";
import { api } from "../lib/api.js";

/** Same key (and data) as the Previews screen: one request serves both, and invalidating the project refreshes it. */
export const previewListKey = (slug: string) => ["project", slug, "previews"] as const;

export function usePreviews(slug: string) {
  return useQuery({
    queryKey: previewListKey(slug),
    queryFn: async () => {
      const project = (await api.previews({ slug })).project;
      if (!project) throw new Error(`No project "${slug}", or you have no access to it.`);
      return project;
    },
  });
}

/** "Preview of branch feature-x, cloned from preview, URL https://…": nothing for an environment that is not a preview. */
export function PreviewOrigin({ slug, envId }: { slug: string; envId: string }) {
  const previews = usePreviews(slug);
  const preview = previews.data?.previews.find((p) => p.id === envId);
  if (!preview) return null;
  return (
    <p
      role="note"
      aria-label="Preview environment"
      className="mb-3 rounded-md bg-indigo-50 px-3 py-2 text-sm text-indigo-900 dark:bg-indigo-950 dark:text-indigo-200"
    >
      Preview of branch <b className="font-mono">{preview.previewBranch?.name ?? "(deleted)"}</b>
      {preview.previewOf && (
        <>
          , cloned from <span className="font-mono">{preview.previewOf.name}</span>
        </>
      )}
      {preview.url && (
        <>
          , URL{" "}
          <a
            href={preview.url}
            target="_blank"
            rel="noreferrer"
            className="break-all text-indigo-700 underline dark:text-indigo-400"
          >
            {preview.url}
          </a>
        </>
      )}
    </p>
  );
}
