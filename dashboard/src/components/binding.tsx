/** Variables managed by a service binding: a lock badge with the binding's name, and why their row is locked. */
import { Badge } from "./ui.js";

interface MaybeManaged {
  key: string;
  isManaged?: boolean | null;
  binding?: { name: string } | null;
}

/**
 * Why a managed variable's row cannot be edited, overridden or deleted here (its note stays editable: a note
 * documents, it changes nothing the binding owns); null for a plain variable. `env`: the environment shown.
 */
export function managedReason(v: MaybeManaged, env?: string): string | null {
  if (!v.isManaged) return null;
  const name = v.binding?.name ?? "a service binding";
  return (
    `${v.key} is managed by the binding "${name}": only the binding changes or removes it ` +
    `(envplane bindings set ${name} --env ${env ?? "<env>"} --value -).`
  );
}

/** A lock and "main-db": shown next to a managed variable (nothing for a plain one). */
export function ManagedBadge({ variable }: { variable: MaybeManaged }) {
  if (!variable.isManaged) return null;
  const name = variable.binding?.name ?? "binding";
  return (
    <span title={managedReason(variable) ?? undefined}>
      <Badge tone="indigo">
        <span className="inline-flex items-center gap-1">
          <svg aria-hidden="true" viewBox="0 0 16 16" className="size-3 fill-current">
            <path d="M5 7V5a3 3 0 0 1 6 0v2h.5A1.5 1.5 0 0 1 13 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-7A1.5 1.5 0 0 1 3 13.5v-5A1.5 1.5 0 0 1 4.5 7H5Zm1.5 0h3V5a1.5 1.5 0 0 0-3 0v2Z" />
          </svg>
          <span className="sr-only">Managed by binding </span>
          {name}
        </span>
      </Badge>
    </span>
  );
}
