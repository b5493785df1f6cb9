/** Users of this instance (instance admins): the list, and creating one with their first token (shown once). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import {
  allPages,
  formatDate,
  MAX_PAGE_SIZE,
  ShownOnceDialog,
  TableBox,
  TableHead,
  tableClass,
  tdClass,
} from "../components/tokens.js";
import {
  Badge,
  Button,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  FormError,
  PageHeader,
  Spinner,
} from "../components/ui.js";
import { api, expect, ResultError } from "../lib/api.js";
import { useViewer } from "../lib/queries.js";

const usersKey = ["users"] as const;

export function UsersPage() {
  const viewer = useViewer();
  const canManage = viewer.data?.canManageUsers ?? false;
  const users = useQuery({
    queryKey: usersKey,
    queryFn: () => allPages(async (after) => (await api.users({ first: MAX_PAGE_SIZE, after })).users),
    enabled: canManage,
  });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ value: string; name: string } | null>(null);
  const reason = canManage ? null : "Only instance admins create users.";
  return (
    <div>
      <PageHeader
        title="Users"
        subtitle="Everyone who can sign in to this instance. Project roles are given on each project's Access tab."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)} disabledReason={reason}>
            New user
          </Button>
        }
      />
      {viewer.isPending ? (
        <Spinner />
      ) : !canManage ? (
        <EmptyState title="Users are for instance admins">{reason}</EmptyState>
      ) : users.isPending ? (
        <Spinner label="Loading users…" />
      ) : users.isError ? (
        <ErrorState error={users.error} retry={() => users.refetch()} />
      ) : users.data.length === 0 ? (
        <EmptyState title="No users" />
      ) : (
        <TableBox label="Users">
          <table className={tableClass}>
            <TableHead columns={["Name", "E-mail", "Instance admin", "Created"]} />
            <tbody>
              {users.data.map((u) => (
                <tr key={u.id}>
                  <td className={tdClass}>
                    <span className="font-medium">{u.name}</span>
                    {u.id === viewer.data?.user?.id && (
                      <span className="ml-1.5 whitespace-nowrap">
                        <Badge>you</Badge>
                      </span>
                    )}
                  </td>
                  <td className={tdClass}>{u.email ?? "—"}</td>
                  <td className={tdClass}>{u.isInstanceAdmin ? <Badge tone="indigo">admin</Badge> : "—"}</td>
                  <td className={`${tdClass} whitespace-nowrap`}>{formatDate(u.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
      <CreateUser
        open={creating}
        onOpenChange={setCreating}
        onCreated={(value, name) => {
          setCreating(false);
          setSecret({ value, name });
        }}
      />
      <ShownOnceDialog
        secret={secret?.value ?? null}
        title={`${secret?.name ?? "The user"}'s first token`}
        description="A personal token to sign in with (or to use with the CLI). Hand it over securely."
        onClose={() => setSecret(null)}
      />
    </div>
  );
}

function CreateUser({
  open,
  onOpenChange,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (value: string, name: string) => void;
}) {
  const queryClient = useQueryClient();
  const create = useMutation({
    // The first token goes straight to the screen's state; the mutation keeps only the user.
    mutationFn: async (input: { name: string; email?: string; isInstanceAdmin: boolean }) => {
      const result = expect((await api.createUser({ input })).createUser, "CreateUserPayload");
      onCreated(result.plaintextToken, result.user.name);
      return result.user;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: usersKey }),
  });
  const failure = create.error instanceof ResultError ? create.error : null;
  const emailError =
    failure?.forField("email") ?? (failure?.result.__typename === "ConflictError" ? failure.message : null);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    create.mutate({
      name: String(form.get("name") ?? "").trim(),
      email: email || undefined,
      isInstanceAdmin: form.get("isInstanceAdmin") === "on",
    });
  }
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (next) create.reset();
        onOpenChange(next);
      }}
      title="New user"
      description="They get a first personal token, shown once."
    >
      <form onSubmit={submit} className="flex flex-col gap-3">
        <Field label="Name" name="name" required placeholder="Ann Lee" error={failure?.forField("name")} autoFocus />
        <Field label="E-mail" name="email" type="email" placeholder="ann@example.com (optional)" error={emailError} />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="isInstanceAdmin" />
          Instance admin (may create users)
        </label>
        <FormError
          error={
            failure && !failure.forField("name") && !emailError
              ? failure
              : create.error && !failure
                ? create.error
                : null
          }
        />
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            Create user
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
