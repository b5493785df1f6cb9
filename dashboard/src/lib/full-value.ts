/**
 * The explicit read of one standard value (issue 10): listings and the grid carry previews only;
 * the full value is fetched when the viewer asks for it (edit, reveal), never cached afterwards.
 */
import { useQuery } from "@tanstack/react-query";
import { api } from "./api.js";

export function useFullValue(project: string, environment: string, key: string, enabled = true) {
  return useQuery({
    queryKey: ["project", project, "full-value", environment, key] as const,
    enabled,
    gcTime: 0,
    staleTime: 0,
    queryFn: async () => {
      const r = await api.variableValue({ project, environment, key });
      const variable = r.project?.environment?.variable;
      if (!variable) throw new Error(`${key} is no longer in ${environment}, or you may not read its value.`);
      return variable;
    },
  });
}
