/** Your account: your personal tokens (create, shown once; revoke) and your sessions. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import {
  allPages,
  allPersonalTokens,
  ExpiryField,
  expiryFrom,
  formatDate,
  MAX_PAGE_SIZE,
  RevokeToken,
  ShownOnceDialog,
  TableBox,
  TableHead,
  TokenTable,
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
import { api, expect, formLevelError, ResultError, type SessionFieldsFragment } from "../lib/api.js";
import { useViewer } from "../lib/queries.js";

const personalTokensKey = ["viewer", "personalTokens"] as const;
const sessionsKey = ["viewer", "sessions"] as const;

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
      <Sessions />
    </div>
  );
}

function PersonalTokens() {
  const viewer = useViewer();
  const tokens = useQuery({ queryKey: personalTokensKey, queryFn: allPersonalTokens });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ value: string; name: string } | null>(null);
  const currentTokenId = viewer.data?.token.kind === "PERSONAL" ? viewer.data.token.id : null;
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
          currentId={currentTokenId}
          revoke={(t) => (
            <RevokeToken
              token={t}
              invalidate={personalTokensKey}
              warning={
                t.id === currentTokenId
                  ? "You signed in with it: revoking it also ends this session (and others started with it). This cannot be undone."
                  : "Anything using it (the CLI, scripts, sessions started with it) loses access at once. This cannot be undone."
              }
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
        <FormError error={formLevelError(create.error, ["name", "expiresAt"])} />
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

const BROWSERS: [RegExp, string][] = [
  [/Edg\/(\d+)/, "Edge"],
  [/Firefox\/(\d+)/, "Firefox"],
  [/HeadlessChrome\/(\d+)/, "Headless Chrome"],
  [/Chrome\/(\d+)/, "Chrome"],
  [/Version\/(\d+).*Safari\//, "Safari"],
];
const SYSTEMS: [RegExp, string][] = [
  [/Windows/, "Windows"],
  [/iPhone|iPad/, "iOS"],
  [/Mac OS X/, "macOS"],
  [/Android/, "Android"],
  [/Linux/, "Linux"],
];

/** "Chrome 131 on Linux" from a User-Agent (the full string is in the cell's title). */
function browserName(userAgent: string) {
  for (const [pattern, name] of BROWSERS) {
    const version = pattern.exec(userAgent)?.[1];
    if (!version) continue;
    const os = SYSTEMS.find(([p]) => p.test(userAgent))?.[1];
    return `${name} ${version}${os ? ` on ${os}` : ""}`;
  }
  return userAgent || "Unknown browser";
}

type SessionRow = SessionFieldsFragment;

function Sessions() {
  const sessions = useQuery({
    queryKey: sessionsKey,
    queryFn: () => allPages(async (after) => (await api.sessions({ first: MAX_PAGE_SIZE, after })).viewer.sessions),
  });
  const [confirmOthers, setConfirmOthers] = useState(false);
  const [ended, setEnded] = useState<number | null>(null);
  const queryClient = useQueryClient();
  const others = useMutation({
    mutationFn: async () =>
      expect((await api.revokeOtherSessions()).revokeOtherSessions, "RevokeOtherSessionsPayload").count,
    onSuccess: async (count) => {
      setConfirmOthers(false);
      setEnded(count);
      await queryClient.invalidateQueries({ queryKey: sessionsKey });
    },
  });
  const otherCount = sessions.data?.filter((s) => !s.current).length ?? 0;
  return (
    <section aria-labelledby="sessions">
      <div className="mb-3 flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 id="sessions" className="text-lg font-semibold">
            Sessions
          </h2>
          <p className="mt-0.5 text-sm text-zinc-500">The browsers signed in to this dashboard as you.</p>
        </div>
        <Button
          variant="danger"
          disabledReason={sessions.isSuccess && otherCount === 0 ? "No other sessions." : null}
          disabled={!sessions.isSuccess}
          onClick={() => {
            others.reset();
            setConfirmOthers(true);
          }}
        >
          Sign out everywhere else
        </Button>
      </div>
      <p aria-live="polite" className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">
        {ended !== null && `Ended ${ended} other session${ended === 1 ? "" : "s"}.`}
      </p>
      {sessions.isPending ? (
        <Spinner label="Loading sessions…" />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} retry={() => sessions.refetch()} />
      ) : sessions.data.length === 0 ? (
        <EmptyState title="No dashboard sessions">You are using a token, not a browser session.</EmptyState>
      ) : (
        <TableBox label="Sessions">
          <table className={tableClass}>
            <TableHead columns={["Browser", "Signed in with", "Signed in", "Last used", "Expires"]} actions />
            <tbody>
              {sessions.data.map((s) => (
                <tr key={s.id}>
                  <td className={tdClass} title={s.userAgent}>
                    <span className="font-medium">{browserName(s.userAgent)}</span>
                    {s.current && (
                      <span className="ml-1.5 whitespace-nowrap">
                        <Badge tone="indigo">this browser</Badge>
                      </span>
                    )}
                  </td>
                  <td className={tdClass}>{s.createdVia === "LINK" ? "a sign-in link" : "a personal token"}</td>
                  <td className={`${tdClass} whitespace-nowrap`}>{formatDate(s.createdAt)}</td>
                  <td className={`${tdClass} whitespace-nowrap`}>{formatDate(s.lastUsedAt)}</td>
                  <td className={`${tdClass} whitespace-nowrap`}>{formatDate(s.expiresAt)}</td>
                  <td className={`${tdClass} text-right`}>
                    <RevokeSession session={s} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
      <Dialog
        open={confirmOthers}
        onOpenChange={setConfirmOthers}
        title="Sign out everywhere else?"
        description={`Every other browser signed in as you (${otherCount}) is signed out at once. This one stays signed in.`}
      >
        <div className="flex flex-col gap-3">
          <FormError error={others.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setConfirmOthers(false)}>Cancel</Button>
            <Button variant="danger" disabled={others.isPending} onClick={() => others.mutate()}>
              Sign out other sessions
            </Button>
          </div>
        </div>
      </Dialog>
    </section>
  );
}

function RevokeSession({ session }: { session: SessionRow }) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const label = `${browserName(session.userAgent)}, signed in ${formatDate(session.createdAt)}`;
  const revoke = useMutation({
    mutationFn: async () =>
      expect((await api.revokeSession({ input: { id: session.id } })).revokeSession, "RevokeSessionPayload"),
    onSuccess: async () => {
      setOpen(false);
      if (session.current) {
        queryClient.clear();
        await navigate({ to: "/sign-in", search: { reason: "session-ended" } });
      } else await queryClient.invalidateQueries({ queryKey: sessionsKey });
    },
  });
  return (
    <>
      <Button
        variant="ghost"
        aria-label={session.current ? "Sign out this session" : `Revoke session ${label}`}
        onClick={() => {
          revoke.reset();
          setOpen(true);
        }}
      >
        {session.current ? "Sign out" : "Revoke"}
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title={session.current ? "Sign out this browser?" : "Revoke this session?"}
        description={
          session.current
            ? "This is the session you are using: you are signed out here."
            : `${label}: that browser is signed out at its next request.`
        }
      >
        <div className="flex flex-col gap-3">
          <FormError error={revoke.error} />
          <div className="flex justify-end gap-2">
            <Button onClick={() => setOpen(false)}>Cancel</Button>
            <Button variant="danger" disabled={revoke.isPending} onClick={() => revoke.mutate()}>
              {session.current ? "Sign out" : "Revoke session"}
            </Button>
          </div>
        </div>
      </Dialog>
    </>
  );
}
