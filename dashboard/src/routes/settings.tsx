/** Your account: your personal tokens (create, shown once; revoke) and your sessions. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import {
  allPersonalTokens,
  ExpiryField,
  expiryFrom,
  RevokeToken,
  ShownOnceDialog,
  TokenTable,
} from "../components/tokens.js";
import { Button, Dialog, EmptyState, ErrorState, Field, FormError, PageHeader, Spinner } from "../components/ui.js";
import { api, expect, ResultError } from "../lib/api.js";
import { useViewer } from "../lib/queries.js";

const personalTokensKey = ["viewer", "personalTokens"] as const;

export function SettingsPage() {
  const viewer = useViewer();
  const user = viewer.data?.user;
  return (
    <div className="flex flex-col gap-8">
      <PageHeader
        title="Your account"
        subtitle={user ? `${user.name}${user.email ? ` · ${user.email}` : ""}` : undefined}
      />
      <PersonalTokens />
    </div>
  );
}

function PersonalTokens() {
  const viewer = useViewer();
  const tokens = useQuery({ queryKey: personalTokensKey, queryFn: allPersonalTokens });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ value: string; name: string } | null>(null);
  return (
    <section aria-labelledby="personal-tokens">
      <div className="mb-3 flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="personal-tokens" className="text-lg font-semibold">
            Personal tokens
          </h2>
          <p className="mt-0.5 text-sm text-zinc-500">
            They act for you, with your role in each project: for the CLI and for signing in.
          </p>
        </div>
        <Button variant="primary" onClick={() => setCreating(true)}>
          New personal token
        </Button>
      </div>
      {tokens.isPending ? (
        <Spinner label="Loading tokens…" />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} retry={() => tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No personal tokens">Create one for the CLI.</EmptyState>
      ) : (
        <TokenTable
          label="Personal tokens"
          tokens={tokens.data}
          currentId={viewer.data?.token.kind === "PERSONAL" ? viewer.data.token.id : null}
          revoke={(t) => (
            <RevokeToken
              token={t}
              invalidate={personalTokensKey}
              warning="Anything using it (the CLI, scripts) loses access at once. This cannot be undone."
            />
          )}
        />
      )}
      <CreatePersonalToken
        open={creating}
        onOpenChange={setCreating}
        onCreated={(value, name) => {
          setCreating(false);
          setSecret({ value, name });
        }}
      />
      <ShownOnceDialog
        secret={secret?.value ?? null}
        title={`Personal token ${secret?.name ?? ""} created`}
        description={
          <>
            Use it with <code>envplane login</code>, or to sign in here.
          </>
        }
        onClose={() => setSecret(null)}
      />
    </section>
  );
}

function CreatePersonalToken({
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
    // The value goes straight to the screen's state; the mutation keeps only the metadata.
    mutationFn: async (input: { name: string; expiresAt?: string }) => {
      const result = expect(
        (await api.createToken({ input: { kind: "PERSONAL", ...input } })).createToken,
        "CreateTokenPayload",
      );
      onCreated(result.plaintextToken, result.token.name);
      return result.token;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: personalTokensKey }),
  });
  const failure = create.error instanceof ResultError ? create.error : null;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({ name: String(form.get("name") ?? "").trim(), expiresAt: expiryFrom(form) });
  }
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (next) create.reset();
        onOpenChange(next);
      }}
      title="New personal token"
      description="It acts for you, with your role in each project. Its value is shown once."
    >
      <form onSubmit={submit} className="flex flex-col gap-3">
        <Field label="Name" name="name" required placeholder="laptop" error={failure?.forField("name")} autoFocus />
        <ExpiryField error={failure?.forField("expiresAt")} />
        <FormError
          error={
            failure && !failure.forField("name") && !failure.forField("expiresAt")
              ? failure
              : create.error && !failure
                ? create.error
                : null
          }
        />
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            Create token
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
