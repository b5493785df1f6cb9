/**
 * Project-shared variables: the list (secrets as ••••, never their value), which environments
 * reference each, setting one (a new one, or a new value for an existing one), and deleting one
 * (refused while referenced unless forced). Environments reference them as ${{project.KEY}}.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { formatDate, TableBox, tableClass, tdClass, thClass } from "../components/tokens.js";
import {
  Badge,
  Button,
  cx,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  FormError,
  PageHeader,
  Spinner,
} from "../components/ui.js";
import { api, expect, formLevelError, ResultError, type SharedVariableFieldsFragment } from "../lib/api.js";

const sharedKey = (slug: string) => ["project", slug, "shared"] as const;

export function SharedPage() {
  const { project: slug } = useParams({ from: "/app/projects/$project/shared" });
  const shared = useQuery({
    queryKey: sharedKey(slug),
    queryFn: async () => {
      const project = (await api.sharedVariables({ slug })).project;
      if (!project) throw new Error(`No project "${slug}", or you have no access to it.`);
      return project;
    },
  });
  const [editing, setEditing] = useState<{ key: string; isSecret: boolean } | "new" | null>(null);
  const cannot =
    shared.data && !shared.data.viewerCanWriteShared
      ? "Shared variables feed every environment, protected ones included: only those who may change every " +
        "environment (admins and owners when one is protected) can change them."
      : null;
  return (
    <div>
      <PageHeader
        title="Shared variables"
        subtitle={
          <>
            Values every environment can use: write <code className="font-mono">{"${{project.KEY}}"}</code> in a
            variable's value, as the whole value or inside a string.
          </>
        }
        actions={
          <Button variant="primary" onClick={() => setEditing("new")} disabledReason={cannot} disabled={!shared.data}>
            New shared variable
          </Button>
        }
      />
      {shared.isPending ? (
        <Spinner />
      ) : shared.isError ? (
        <ErrorState error={shared.error} retry={() => shared.refetch()} />
      ) : shared.data.sharedVariables.length === 0 ? (
        <EmptyState title="No shared variables yet">
          Create one (e.g. DB_USER), then reference it from any environment as{" "}
          <code className="font-mono">{"${{project.DB_USER}}"}</code>.
        </EmptyState>
      ) : (
        <TableBox label="Shared variables">
          {/* Narrow screens: Used by and Updated go under the key, the actions stack: the table fits, no scrolling. */}
          <table className={cx(tableClass, "max-sm:min-w-0")}>
            <thead>
              <tr>
                <th className={thClass}>Key</th>
                <th className={thClass}>Value</th>
                <th className={cx(thClass, "hidden sm:table-cell")}>Used by</th>
                <th className={cx(thClass, "hidden sm:table-cell")}>Updated</th>
                <th className={thClass}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shared.data.sharedVariables.map((v) => (
                <SharedRow
                  key={v.id}
                  slug={slug}
                  variable={v}
                  cannot={cannot}
                  onEdit={() => setEditing({ key: v.key, isSecret: v.isSecret })}
                />
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
      <SetShared slug={slug} editing={editing} onClose={() => setEditing(null)} />
    </div>
  );
}

/** Every cell of a row: centred vertically, so the buttons line up with the text (tdClass aligns to the top). */
const row = "align-middle!";

function SharedRow({
  slug,
  variable: v,
  cannot,
  onEdit,
}: {
  slug: string;
  variable: SharedVariableFieldsFragment;
  cannot: string | null;
  onEdit: () => void;
}) {
  const usedBy = v.usedBy.length ? v.usedBy.join(", ") : "—";
  return (
    <tr>
      <td className={cx(tdClass, row, "font-mono")}>
        {v.key} {v.isSecret && <Badge tone="amber">secret</Badge>}
        <span className="mt-1 block font-sans text-xs text-zinc-500 sm:hidden">
          Used by {usedBy}
          <br />
          Updated {formatDate(v.updatedAt)}
        </span>
      </td>
      <td className={cx(tdClass, row, "max-w-[20rem] break-all font-mono")}>
        {v.isSecret ? <span className="whitespace-nowrap">••••</span> : v.value}
      </td>
      <td className={cx(tdClass, row, "hidden sm:table-cell")}>{usedBy}</td>
      <td className={cx(tdClass, row, "hidden whitespace-nowrap sm:table-cell")}>{formatDate(v.updatedAt)}</td>
      <td className={cx(tdClass, row, "whitespace-nowrap")}>
        <div className="flex flex-col items-end sm:flex-row sm:justify-end">
          <Button variant="ghost" aria-label={`Set ${v.key}`} onClick={onEdit} disabledReason={cannot}>
            Set
          </Button>
          <DeleteShared slug={slug} variable={v} cannot={cannot} />
        </div>
      </td>
    </tr>
  );
}

function SetShared({
  slug,
  editing,
  onClose,
}: {
  slug: string;
  editing: { key: string; isSecret: boolean } | "new" | null;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const set = useMutation({
    mutationFn: async (input: { key: string; value: string; secret?: boolean }) =>
      expect(
        (await api.setSharedVariable({ input: { project: slug, ...input } })).setSharedVariable,
        "SetSharedVariablePayload",
      ),
    onSuccess: async () => {
      onClose();
      await queryClient.invalidateQueries({ queryKey: sharedKey(slug) });
    },
  });
  const existing = editing !== "new" ? editing : null;
  const error = (field: string) => (set.error instanceof ResultError ? set.error.forField(field) : undefined);
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    set.mutate({
      key: existing?.key ?? String(form.get("key") ?? "").trim(),
      value: String(form.get("value") ?? ""),
      secret: existing ? undefined : form.get("secret") === "on",
    });
  }
  return (
    <Dialog
      open={editing !== null}
      onOpenChange={(open) => {
        if (!open) onClose();
        set.reset();
      }}
      title={existing ? `Set ${existing.key}` : "New shared variable"}
      description={
        existing?.isSecret
          ? "A secret is write-only: give it a new value; the current one is never shown."
          : "Environments reference it as ${{project.KEY}}; its value cannot reference other shared variables."
      }
    >
      <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
        {!existing && <Field label="Key" name="key" required autoComplete="off" error={error("key")} />}
        <Field
          label="Value"
          name="value"
          type={existing?.isSecret ? "password" : "text"}
          autoComplete="off"
          error={error("value")}
        />
        {!existing && (
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="secret" /> Secret (write-only; values referencing it are secrets too)
          </label>
        )}
        <FormError error={formLevelError(set.error, ["key", "value", "secret"])} />
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={set.isPending}>
            Save
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteShared({
  slug,
  variable,
  cannot,
}: {
  slug: string;
  variable: SharedVariableFieldsFragment;
  cannot: string | null;
}) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const used = variable.usedBy.length > 0;
  const remove = useMutation({
    mutationFn: async () =>
      expect(
        (await api.unsetSharedVariable({ input: { project: slug, key: variable.key, force: used } }))
          .unsetSharedVariable,
        "UnsetSharedVariablePayload",
      ),
    onSuccess: async () => {
      setOpen(false);
      await queryClient.invalidateQueries({ queryKey: sharedKey(slug) });
    },
  });
  return (
    <>
      <Button
        variant="ghost"
        aria-label={`Delete ${variable.key}`}
        disabledReason={cannot}
        onClick={() => {
          remove.reset();
          setOpen(true);
        }}
      >
        Delete
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={`Delete ${variable.key}?`}
        description={
          used
            ? `${variable.usedBy.join(", ")} reference it: their values will fail to resolve (pull and deployments ` +
              "report it) until you set it again or change them."
            : "No environment references it."
        }
      >
        <div className="flex flex-col gap-3">
          <FormError error={remove.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
              {used ? "Delete anyway" : "Delete"}
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}
