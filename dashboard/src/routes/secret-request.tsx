/**
 * /requests/$id: someone asked (envplane secrets request, or an agent's request_secret) for a secret's value. A person
 * who may write the environment types it into a hidden field; it is stored as a secret and the request is fulfilled.
 *
 * The value is never held in React state or the query cache: the input is uncontrolled (no `value` attribute is ever
 * written to the DOM), read once from the form on submit and cleared right after.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "@tanstack/react-router";
import type { FormEvent } from "react";
import { formatDate } from "../components/tokens.js";
import { Badge, Button, EmptyState, ErrorState, Field, FormError, PageHeader, Spinner } from "../components/ui.js";
import { api, expect, formLevelError, ResultError, type SecretRequestFieldsFragment } from "../lib/api.js";

export const secretRequestKey = (id: string) => ["secret-request", id] as const;

const STATUS: Record<
  SecretRequestFieldsFragment["status"],
  { label: string; tone: "zinc" | "amber" | "indigo" | "red" }
> = {
  PENDING: { label: "Waiting for the value", tone: "amber" },
  FULFILLED: { label: "Fulfilled", tone: "indigo" },
  EXPIRED: { label: "Expired", tone: "zinc" },
  CANCELLED: { label: "Cancelled", tone: "zinc" },
};

export function SecretRequestStatus({ status }: { status: SecretRequestFieldsFragment["status"] }) {
  return <Badge tone={STATUS[status].tone}>{STATUS[status].label}</Badge>;
}

export function SecretRequestPage() {
  const { id } = useParams({ from: "/app/requests/$id" });
  const request = useQuery({
    queryKey: secretRequestKey(id),
    queryFn: async () => (await api.SecretRequest({ id })).secretRequest ?? null,
  });
  if (request.isPending) return <Spinner />;
  if (request.isError) return <ErrorState error={request.error} retry={() => request.refetch()} />;
  const r = request.data;
  if (!r)
    return (
      <div className="mx-auto max-w-xl">
        <PageHeader title="Secret request" />
        <EmptyState title="This link does not work for you">
          The request does not exist, or you are not a member of its project. Check that you are signed in as the right
          person, or ask whoever sent the link for a new one.
        </EmptyState>
      </div>
    );
  return (
    <div className="mx-auto max-w-xl">
      <PageHeader
        title={
          <>
            Secret requested: <span className="font-mono break-all">{r.key}</span>
          </>
        }
        subtitle={`Someone needs this secret's value in "${r.environment}" of ${r.project}.`}
      />
      <dl className="mb-5 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 rounded-lg border border-zinc-200 p-4 text-sm dark:border-zinc-800">
        <dt className="text-zinc-500">Project</dt>
        <dd>
          <Link to="/projects/$project" params={{ project: r.project }} className="font-mono hover:underline">
            {r.project}
          </Link>
        </dd>
        <dt className="text-zinc-500">Environment</dt>
        <dd className="font-mono">{r.environment}</dd>
        <dt className="text-zinc-500">Branch</dt>
        <dd className={r.branch ? "font-mono" : "text-zinc-500"}>{r.branch ?? "— (the base value)"}</dd>
        <dt className="text-zinc-500">Key</dt>
        <dd className="font-mono break-all">{r.key}</dd>
        <dt className="text-zinc-500">Asked by</dt>
        <dd>{r.requestedBy}</dd>
        <dt className="text-zinc-500">Note</dt>
        <dd className={r.note ? "whitespace-pre-wrap break-words" : "text-zinc-500"}>{r.note ?? "—"}</dd>
        <dt className="text-zinc-500">Expires</dt>
        <dd>{formatDate(r.expiresAt)}</dd>
        <dt className="text-zinc-500">Status</dt>
        <dd>
          <SecretRequestStatus status={r.status} />
        </dd>
      </dl>
      <RequestState request={r} />
    </div>
  );
}

function RequestState({ request: r }: { request: SecretRequestFieldsFragment }) {
  switch (r.status) {
    case "FULFILLED":
      return (
        <div
          role="status"
          className="rounded-lg border border-indigo-200 bg-indigo-50 p-4 text-sm dark:border-indigo-900 dark:bg-indigo-950/40"
        >
          <p className="font-medium">Thank you: {r.key} is stored as a secret.</p>
          <p className="mt-1 text-zinc-600 dark:text-zinc-400">
            Fulfilled{r.fulfilledBy ? ` by ${r.fulfilledBy}` : ""} on {formatDate(r.fulfilledAt)}. This link no longer
            works; {r.requestedBy} sees only that it was fulfilled, never the value.
          </p>
        </div>
      );
    case "EXPIRED":
      return (
        <EmptyState title="This link has expired">
          It expired on {formatDate(r.expiresAt)}. Ask {r.requestedBy} for a new link.
        </EmptyState>
      );
    case "CANCELLED":
      return (
        <EmptyState title="This request was cancelled">
          Nothing is needed any more. If the secret is still wanted, ask {r.requestedBy} for a new link.
        </EmptyState>
      );
    default:
      if (!r.viewerCanFulfill)
        return (
          <EmptyState title="You cannot store this secret">
            Your role in {r.project} does not allow changing "{r.environment}". Forward the link to someone who can (a
            developer, or an admin for a protected environment).
          </EmptyState>
        );
      return <FulfillForm request={r} />;
  }
}

function FulfillForm({ request: r }: { request: SecretRequestFieldsFragment }) {
  const queryClient = useQueryClient();
  const fulfil = useMutation({
    // The value travels in a holder emptied on first read: React Query keeps a mutation's variables in its state.
    mutationFn: async (holder: { value?: string }) => {
      const value = holder.value ?? "";
      delete holder.value;
      return expect(
        (await api.FulfillSecretRequest({ input: { id: r.id, value } })).fulfillSecretRequest,
        "FulfillSecretRequestPayload",
      );
    },
    onSuccess: (payload) => {
      queryClient.setQueryData(secretRequestKey(r.id), payload.request);
      void queryClient.invalidateQueries({ queryKey: ["project", r.project] });
    },
  });
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const value = String(new FormData(form).get("value") ?? "");
    // Cleared at once: the value lives only in this call and the request that carries it.
    form.reset();
    fulfil.mutate({ value });
  }
  const error = fulfil.error instanceof ResultError ? fulfil.error.forField("value") : null;
  return (
    <form onSubmit={submit} className="flex flex-col gap-3" autoComplete="off">
      {r.replacesStandardValue && (
        <p className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
          {r.key} exists in "{r.environment}" as a standard (readable) value. Storing this replaces the current value
          and makes {r.key} a secret.
        </p>
      )}
      <Field
        label={`Value of ${r.key}`}
        name="value"
        type="password"
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        data-1p-ignore
        data-lpignore="true"
        required
        error={error}
        hint={`Stored encrypted as a secret${r.branch ? ` (the override for branch ${r.branch})` : ""}; nobody can read it back here.`}
      />
      <FormError error={formLevelError(fulfil.error, ["value"])} />
      <div>
        <Button type="submit" variant="primary" disabled={fulfil.isPending}>
          {fulfil.isPending ? "Storing…" : "Store secret"}
        </Button>
      </div>
    </form>
  );
}
