/**
 * A project's access: its service tokens (create, shown once; revoke) and its members and their
 * roles (add by e-mail, change a role, remove). Every action follows the project's viewerCan…
 * fields: a forbidden action is a disabled button that says why.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { type FormEvent, type ReactNode, useId, useState } from "react";
import {
  allPages,
  allProjectTokens,
  ExpiryField,
  expiryFrom,
  formatDate,
  MAX_PAGE_SIZE,
  RevokeToken,
  ShownOnceDialog,
  selectClass,
  TableBox,
  TableHead,
  TokenTable,
  tableClass,
  tdClass,
} from "../components/tokens.js";
import { Badge, Button, Dialog, EmptyState, ErrorState, Field, FormError, Spinner } from "../components/ui.js";
import { api, expect, formLevelError, ResultError, type Role, type TokenPermission } from "../lib/api.js";
import { type Project, useProject, useViewer } from "../lib/queries.js";

const tokensKey = (slug: string) => ["project", slug, "tokens"] as const;
const membersKey = (slug: string) => ["project", slug, "members"] as const;

const ROLE_HELP: Record<Role, string> = {
  VIEWER: "reads",
  DEVELOPER: "also writes unprotected environments",
  ADMIN: "writes every environment, manages environments, branches, mapping, members and tokens",
  OWNER: "also deletes the project and grants owner",
};
const ROLES: Role[] = ["VIEWER", "DEVELOPER", "ADMIN", "OWNER"];

export function AccessPage() {
  const { project: slug } = useParams({ from: "/app/projects/$project/access" });
  const project = useProject(slug);
  if (project.isPending) return <Spinner />;
  if (project.isError) return <ErrorState error={project.error} retry={() => project.refetch()} />;
  return (
    <div className="flex flex-col gap-8">
      <ServiceTokens project={project.data} />
      <Members project={project.data} />
    </div>
  );
}

function SectionHeader(props: { id: string; title: string; subtitle: string; action: ReactNode }) {
  const { id, title, subtitle, action } = props;
  return (
    <div className="mb-3 flex flex-wrap items-start justify-between gap-3">
      <div>
        <h2 id={id} className="text-lg font-semibold">
          {title}
        </h2>
        <p className="mt-0.5 text-sm text-zinc-500">{subtitle}</p>
      </div>
      <div className="flex flex-wrap gap-2">{action}</div>
    </div>
  );
}

function ServiceTokens({ project }: { project: Project }) {
  const slug = project.slug;
  const canManage = project.viewerCanManageTokens;
  const reason = canManage ? null : "Only admins and owners of this project manage its service tokens.";
  const tokens = useQuery({ queryKey: tokensKey(slug), queryFn: () => allProjectTokens(slug), enabled: canManage });
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ value: string; name: string } | null>(null);
  return (
    <section aria-labelledby="service-tokens">
      <SectionHeader
        id="service-tokens"
        title="Service tokens"
        subtitle="For CI and deployed apps: they belong to this project, with their own permissions and environments."
        action={
          <Button variant="primary" onClick={() => setCreating(true)} disabledReason={reason}>
            New service token
          </Button>
        }
      />
      {!canManage ? (
        <EmptyState title="Service tokens are for admins">{reason}</EmptyState>
      ) : tokens.isPending ? (
        <Spinner label="Loading tokens…" />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} retry={() => tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="No service tokens yet">
          Create one for your CI or your app (<code>envplane run</code> needs the runtime permission).
        </EmptyState>
      ) : (
        <TokenTable
          label="Service tokens"
          service
          tokens={tokens.data}
          revoke={(t) => (
            <RevokeToken
              token={t}
              invalidate={tokensKey(slug)}
              disabledReason={reason}
              warning="Anything using it (CI, deployed apps) loses access at once. This cannot be undone."
            />
          )}
        />
      )}
      <CreateServiceToken
        project={project}
        open={creating}
        onOpenChange={setCreating}
        onCreated={(value, name) => {
          setCreating(false);
          setSecret({ value, name });
        }}
      />
      <ShownOnceDialog
        secret={secret?.value ?? null}
        title={`Service token ${secret?.name ?? ""} created`}
        description="Store it where it is used, e.g. as ENVPLANE_TOKEN in your CI secrets."
        onClose={() => setSecret(null)}
      />
    </section>
  );
}

const PERMISSIONS: { value: TokenPermission; label: string; help: string }[] = [
  { value: "READ", label: "Read", help: "list variables and pull standard values" },
  { value: "WRITE", label: "Write", help: "change variables" },
  { value: "RUNTIME", label: "Runtime", help: "resolve values including secrets (envplane run)" },
];

function CreateServiceToken({
  project,
  open,
  onOpenChange,
  onCreated,
}: {
  project: Project;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (value: string, name: string) => void;
}) {
  const queryClient = useQueryClient();
  const [limited, setLimited] = useState(false);
  const ids = useId();
  const create = useMutation({
    // The value goes straight to the screen's state; the mutation keeps only the metadata.
    mutationFn: async (input: {
      name: string;
      permissions: TokenPermission[];
      environments?: string[];
      expiresAt?: string;
    }) => {
      const result = expect(
        (await api.createToken({ input: { kind: "SERVICE", project: project.slug, ...input } })).createToken,
        "CreateTokenPayload",
      );
      onCreated(result.plaintextToken, result.token.name);
      return result.token;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokensKey(project.slug) }),
  });
  const failure = create.error instanceof ResultError ? create.error : null;
  const fieldNames = ["name", "permissions", "environments", "expiresAt"];
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({
      name: String(form.get("name") ?? "").trim(),
      permissions: form.getAll("permission").map(String) as TokenPermission[],
      environments: limited ? form.getAll("environment").map(String) : undefined,
      expiresAt: expiryFrom(form),
    });
  }
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (next) create.reset();
        onOpenChange(next);
      }}
      title="New service token"
      description={`A token of ${project.slug}. Its value is shown once, right after you create it.`}
    >
      <form onSubmit={submit} className="flex flex-col gap-4">
        <Field label="Name" name="name" required placeholder="ci-preview" error={failure?.forField("name")} autoFocus />
        <fieldset className="flex flex-col gap-1.5">
          <legend className="mb-1 text-sm font-medium">Permissions</legend>
          {PERMISSIONS.map((p) => (
            <label key={p.value} className="flex items-start gap-2 text-sm">
              <input type="checkbox" name="permission" value={p.value} defaultChecked={p.value === "READ"} />
              <span>
                {p.label} <span className="text-zinc-500">— {p.help}</span>
              </span>
            </label>
          ))}
          {failure?.forField("permissions") && (
            <p role="alert" className="text-xs text-red-600 dark:text-red-400">
              {failure.forField("permissions")}
            </p>
          )}
        </fieldset>
        <fieldset className="flex flex-col gap-1.5">
          <legend className="mb-1 text-sm font-medium">Environments</legend>
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" name={`${ids}-scope`} checked={!limited} onChange={() => setLimited(false)} />
            All environments (also ones created later)
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="radio" name={`${ids}-scope`} checked={limited} onChange={() => setLimited(true)} />
            Only these:
          </label>
          {limited && (
            <div className="ml-6 flex flex-wrap gap-x-4 gap-y-1">
              {project.environments.map((e) => (
                <label key={e.id} className="flex items-center gap-1.5 text-sm">
                  <input type="checkbox" name="environment" value={e.name} />
                  <span className="font-mono">{e.name}</span>
                </label>
              ))}
            </div>
          )}
          {failure?.forField("environments") && (
            <p role="alert" className="text-xs text-red-600 dark:text-red-400">
              {failure.forField("environments")}
            </p>
          )}
        </fieldset>
        <ExpiryField error={failure?.forField("expiresAt")} />
        <FormError error={formLevelError(create.error, fieldNames)} />
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

async function allMembers(slug: string) {
  return allPages(async (after) => {
    const project = (await api.projectMembers({ slug, first: MAX_PAGE_SIZE, after })).project;
    if (!project) throw new Error(`No project "${slug}", or you have no access to it.`);
    return project.members;
  });
}

type MemberRow = Awaited<ReturnType<typeof allMembers>>[number];

function Members({ project }: { project: Project }) {
  const slug = project.slug;
  const viewer = useViewer();
  const members = useQuery({
    queryKey: membersKey(slug),
    queryFn: () => allMembers(slug),
    enabled: project.viewerCanListMembers,
  });
  const [adding, setAdding] = useState(false);
  const manageReason = project.viewerCanManageMembers ? null : "Only admins and owners of this project manage members.";
  return (
    <section aria-labelledby="members">
      <SectionHeader
        id="members"
        title="Members"
        subtitle="People and their roles in this project."
        action={
          <Button variant="primary" onClick={() => setAdding(true)} disabledReason={manageReason}>
            Add member
          </Button>
        }
      />
      {!project.viewerCanListMembers ? (
        <EmptyState title="Members are not listed for this token">
          Members are listed to people (personal tokens) who are members of the project.
        </EmptyState>
      ) : members.isPending ? (
        <Spinner label="Loading members…" />
      ) : members.isError ? (
        <ErrorState error={members.error} retry={() => members.refetch()} />
      ) : members.data.length === 0 ? (
        <EmptyState title="No members" />
      ) : (
        <TableBox label="Members">
          <table className={tableClass}>
            <TableHead columns={["Name", "E-mail", "Role", "Member since"]} actions />
            <tbody>
              {members.data.map((m) => (
                <MemberRowView
                  key={m.user.id}
                  member={m}
                  project={project}
                  isYou={m.user.id === viewer.data?.user?.id}
                  manageReason={manageReason}
                  lastOwner={m.role === "OWNER" && members.data.filter((o) => o.role === "OWNER").length === 1}
                />
              ))}
            </tbody>
          </table>
        </TableBox>
      )}
      <AddMember
        project={project}
        open={adding}
        onOpenChange={setAdding}
        canListUsers={!!viewer.data?.canManageUsers}
      />
    </section>
  );
}

/** The roles the viewer may pick; owner only for those who may grant it. */
function grantableRoles(project: Project, current?: Role) {
  return ROLES.filter((r) => r !== "OWNER" || project.viewerCanGrantOwner || current === "OWNER");
}

function MemberRowView({
  member,
  project,
  isYou,
  manageReason,
  lastOwner,
}: {
  member: MemberRow;
  project: Project;
  isYou: boolean;
  manageReason: string | null;
  /** The only owner of the project (counted in the loaded member list). */
  lastOwner: boolean;
}) {
  const queryClient = useQueryClient();
  const [removing, setRemoving] = useState(false);
  const label = member.user.name || member.user.email || member.user.id;
  const ownerReason =
    member.role === "OWNER" && !project.viewerCanGrantOwner ? "Only owners change or remove an owner." : null;
  const lastOwnerReason = lastOwner
    ? "A project keeps at least one owner: make another member owner first, then change or remove this one."
    : null;
  const reason = manageReason ?? ownerReason ?? lastOwnerReason;
  const setRole = useMutation({
    mutationFn: async (role: Role) =>
      expect(
        (await api.setMember({ input: { project: project.slug, userId: member.user.id, role } })).setMember,
        "SetMemberPayload",
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: membersKey(project.slug) }),
    onSuccess: () => (isYou ? queryClient.invalidateQueries({ queryKey: ["project", project.slug] }) : undefined),
  });
  const remove = useMutation({
    mutationFn: async () =>
      expect(
        (await api.removeMember({ input: { project: project.slug, userId: member.user.id } })).removeMember,
        "RemoveMemberPayload",
      ),
    onSuccess: async () => {
      setRemoving(false);
      await queryClient.invalidateQueries({ queryKey: membersKey(project.slug) });
      if (isYou) await queryClient.invalidateQueries({ queryKey: ["project", project.slug] });
    },
  });
  return (
    <tr>
      <td className={tdClass}>
        <span className="font-medium">{member.user.name}</span>
        {isYou && (
          <span className="ml-1.5 whitespace-nowrap">
            <Badge>you</Badge>
          </span>
        )}
      </td>
      <td className={tdClass}>{member.user.email ?? "—"}</td>
      <td className={tdClass}>
        <select
          aria-label={`Role of ${label}`}
          value={member.role}
          disabled={!!reason || setRole.isPending}
          title={reason ?? undefined}
          onChange={(e) => setRole.mutate(e.target.value as Role)}
          className={`${selectClass} max-w-40`}
        >
          {grantableRoles(project, member.role).map((r) => (
            <option key={r} value={r}>
              {r.toLowerCase()}
            </option>
          ))}
        </select>
        {reason && <span className="sr-only">{reason}</span>}
        <FormError error={setRole.error} />
      </td>
      <td className={`${tdClass} whitespace-nowrap`}>{formatDate(member.createdAt)}</td>
      <td className={`${tdClass} text-right`}>
        <Button
          variant="ghost"
          aria-label={`Remove ${label}`}
          disabledReason={reason}
          onClick={() => {
            remove.reset();
            setRemoving(true);
          }}
        >
          Remove
        </Button>
        <Dialog
          open={removing}
          onOpenChange={setRemoving}
          title={`Remove ${label} from ${project.slug}?`}
          description={
            isYou
              ? "You lose your access to this project."
              : "Their personal tokens and sessions stop working in this project at once."
          }
        >
          <div className="flex flex-col gap-3">
            <FormError error={remove.error} />
            <div className="flex justify-end gap-2">
              <Button onClick={() => setRemoving(false)}>Cancel</Button>
              <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
                Remove member
              </Button>
            </div>
          </div>
        </Dialog>
      </td>
    </tr>
  );
}

function AddMember({
  project,
  open,
  onOpenChange,
  canListUsers,
}: {
  project: Project;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The viewer may list the instance's users (instance admins): offer picking one, e-mail or not. */
  canListUsers: boolean;
}) {
  const queryClient = useQueryClient();
  const roleId = useId();
  const userSelectId = useId();
  const [userId, setUserId] = useState("");
  const users = useQuery({
    queryKey: ["users"],
    queryFn: () => allPages(async (after) => (await api.users({ first: MAX_PAGE_SIZE, after })).users),
    enabled: open && canListUsers,
  });
  const memberIds = new Set(
    (queryClient.getQueryData<MemberRow[]>(membersKey(project.slug)) ?? []).map((m) => m.user.id),
  );
  const candidates = (users.data ?? []).filter((u) => !memberIds.has(u.id));
  const add = useMutation({
    mutationFn: async (input: { email: string; role: Role } | { userId: string; role: Role }) => {
      if ("userId" in input)
        return expect(
          (await api.setMember({ input: { project: project.slug, ...input } })).setMember,
          "SetMemberPayload",
        );
      const members = queryClient.getQueryData<MemberRow[]>(membersKey(project.slug)) ?? [];
      const existing = members.find((m) => m.user.email?.toLowerCase() === input.email.toLowerCase());
      if (existing)
        throw new ResultError({
          __typename: "ValidationError",
          message: `${input.email} is already a member (${existing.role.toLowerCase()}).`,
          fieldErrors: [
            {
              path: ["email"],
              message: `Already a member (${existing.role.toLowerCase()}): change the role in the list instead.`,
            },
          ],
        });
      return expect(
        (await api.setMember({ input: { project: project.slug, ...input } })).setMember,
        "SetMemberPayload",
      );
    },
    onSuccess: async () => {
      onOpenChange(false);
      await queryClient.invalidateQueries({ queryKey: membersKey(project.slug) });
    },
  });
  const failure = add.error instanceof ResultError ? add.error : null;
  const emailError =
    failure?.forField("email") ??
    (failure?.result.__typename === "NotFoundError" ? failure.message : undefined) ??
    undefined;
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const role = String(form.get("role")) as Role;
    add.mutate(userId ? { userId, role } : { email: String(form.get("email") ?? "").trim(), role });
  }
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (next) {
          add.reset();
          setUserId("");
        }
        onOpenChange(next);
      }}
      title="Add a member"
      description="They need a user on this instance (instance admins create users)."
    >
      <form onSubmit={submit} className="flex flex-col gap-3">
        {canListUsers && (
          <div className="flex flex-col gap-1">
            <label htmlFor={userSelectId} className="text-sm font-medium">
              User
            </label>
            <select
              id={userSelectId}
              value={userId}
              onChange={(e) => {
                setUserId(e.target.value);
                add.reset();
              }}
              className={selectClass}
              aria-invalid={!!failure?.forField("userId")}
            >
              <option value="">{users.isPending ? "Loading users…" : "Pick a user, or enter an e-mail below"}</option>
              {candidates.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name} {u.email ? `<${u.email}>` : "(no e-mail)"}
                </option>
              ))}
            </select>
            {users.isError && <FormError error={users.error} />}
            {failure?.forField("userId") && (
              <p role="alert" className="text-xs text-red-600 dark:text-red-400">
                {failure.forField("userId")}
              </p>
            )}
          </div>
        )}
        <Field
          label="E-mail"
          name="email"
          type="email"
          required={!userId}
          disabled={!!userId}
          placeholder="ann@example.com"
          error={emailError}
          autoFocus
          hint={
            canListUsers ? undefined : (
              <>
                A user without an e-mail is added by id with the CLI:{" "}
                <code>envplane members add &lt;user-id&gt; --role &lt;role&gt;</code> (
                <code>envplane whoami --json</code> shows a user their id).
              </>
            )
          }
        />
        <div className="flex flex-col gap-1">
          <label htmlFor={roleId} className="text-sm font-medium">
            Role
          </label>
          <select id={roleId} name="role" defaultValue="DEVELOPER" className={selectClass}>
            {grantableRoles(project).map((r) => (
              <option key={r} value={r}>
                {r.toLowerCase()} — {ROLE_HELP[r]}
              </option>
            ))}
          </select>
          {failure?.forField("role") && (
            <p role="alert" className="text-xs text-red-600 dark:text-red-400">
              {failure.forField("role")}
            </p>
          )}
        </div>
        <FormError
          error={
            add.error && !emailError && !failure?.forField("role") && !failure?.forField("userId") ? add.error : null
          }
        />
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={add.isPending}>
            Add member
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
