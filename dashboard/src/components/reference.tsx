/**
 * Under a value that references project-shared variables (${{project.KEY}}): what it resolves to
 * (the server's preview: 12 characters, •••• when it resolves to a secret), or that a referenced
 * shared variable is missing.
 */
export function ResolvedHint({ item }: { item: { references?: string[]; resolvedPreview?: string | null } }) {
  if (!item.references?.length) return null;
  return (
    <span className="mt-0.5 block text-xs text-zinc-500">
      {item.resolvedPreview == null ? (
        <span className="text-red-600 dark:text-red-400">
          A referenced shared variable is missing ({item.references.join(", ")})
        </span>
      ) : (
        <>
          <span className="block">
            uses{" "}
            {item.references.map((key) => (
              <code key={key} className="mr-1 font-mono">{`\${{project.${key}}}`}</code>
            ))}
          </span>
          <span className="block">
            resolves to <span className="font-mono break-all">{item.resolvedPreview}</span>
          </span>
        </>
      )}
    </span>
  );
}
