/**
 * Secret requests: a single-use dashboard link asking a person to type a secret's value. Whoever may write an
 * environment (a person or a service token, e.g. an agent) creates one; only a person signed in to the dashboard who
 * may write there fulfils it, and the value goes straight into the variable through the write path, in the same
 * transaction as the request's status. The request never holds the value, and no answer about it carries one.
 */
import { randomBytes } from "node:crypto";
import { branchName, check, type FieldError, variableKey, variableValue } from "../../core/names.js";
import { can, type ProjectAccess, projectAccess } from "../authz/index.js";
import type { Database, Tx } from "../db/client.js";
import type { WritePath } from "../events/index.js";
import type { Actor } from "./actor.js";
import { assertNotManaged } from "./bindings.js";
import { assertValid, ConflictError, ForbiddenError, NotFoundError, ValidationError } from "./errors.js";
import { findBranch } from "./lookup.js";
import type { ValueStore } from "./values.js";

export const DEFAULT_EXPIRY_HOURS = 24;
export const MAX_EXPIRY_HOURS = 168;
export const MAX_NOTE_LENGTH = 1000;

export type SecretRequestState = "pending" | "fulfilled" | "expired" | "cancelled";

export interface CreateSecretRequestInput {
  project: string;
  environment: string;
  key: string;
  branch?: string | null;
  note?: string | null;
  expiresInHours?: number | null;
}

export interface ListSecretRequestsInput {
  status?: SecretRequestState | null;
  first?: number | null;
  after?: string | null;
}

/** A request as the API shows it: names, never a value. */
export interface SecretRequestView {
  id: string;
  projectId: string;
  project: string;
  environmentId: string;
  environment: string;
  environmentProtected: boolean;
  branch: string | null;
  key: string;
  note: string | null;
  status: SecretRequestState;
  requestedBy: string;
  requestedByUserId: string | null;
  requestedByTokenId: string | null;
  createdAt: Date;
  expiresAt: Date;
  fulfilledAt: Date | null;
  fulfilledBy: string | null;
  cancelledAt: Date | null;
  /** Whether the key exists now as a standard (readable) value: fulfilling makes it a secret. */
  replacesStandardValue?: boolean;
}

/** The names a view shows (in a transaction: `withNames`). */
const include = {
  project: { select: { slug: true } },
  environment: { select: { name: true, isProtected: true } },
  branch: { select: { name: true } },
} as const;

type Row = {
  id: string;
  projectId: string;
  environmentId: string;
  key: string;
  note: string | null;
  status: string;
  requestedByName: string;
  requestedByUserId: string | null;
  requestedByTokenId: string | null;
  createdAt: Date;
  expiresAt: Date;
  fulfilledAt: Date | null;
  fulfilledByName: string | null;
  cancelledAt: Date | null;
  project: { slug: string };
  environment: { name: string; isProtected: boolean };
  branch: { name: string } | null;
};

type Scalars = Omit<Row, "project" | "environment" | "branch"> & { branchId: string | null };

/**
 * `row` with the names of `include`, read one after another: with `include` Prisma sends the three reads at once, and
 * a PostgreSQL transaction has one connection, on which pg queues them (deprecated; pg 9 drops the queue).
 */
async function withNames<T extends Scalars>(
  tx: Tx,
  row: T,
): Promise<T & Pick<Row, "project" | "environment" | "branch">> {
  const named = await namesOf(tx, row);
  // Its callers wrote the request's row in this transaction, so its project and environment are still there.
  if (!named) throw new Error(`Secret request ${row.id} lost its project or environment within its transaction.`);
  return named;
}

/** `withNames`, or null when the project or environment is gone (deleted since the request was read). */
async function namesOf<T extends Scalars>(tx: Tx, row: T) {
  const project = await tx.project.findUnique({ where: { id: row.projectId }, select: include.project.select });
  const environment = await tx.environment.findUnique({
    where: { id: row.environmentId },
    select: include.environment.select,
  });
  if (!project || !environment) return null;
  const branch = row.branchId
    ? await tx.projectBranch.findUnique({ where: { id: row.branchId }, select: include.branch.select })
    : null;
  return { ...row, project, environment, branch };
}

/** The request by id with its names, in a transaction; null when it (or its environment) no longer exists. */
async function findIn(tx: Tx, id: string) {
  const row = await tx.secretRequest.findUnique({ where: { id } });
  return row && namesOf(tx, row);
}

export function stateOf(row: { status: string; expiresAt: Date }, now = new Date()): SecretRequestState {
  if (row.status === "pending") return row.expiresAt.getTime() <= now.getTime() ? "expired" : "pending";
  return row.status as SecretRequestState;
}

export function viewOf(row: Row): SecretRequestView {
  return {
    id: row.id,
    projectId: row.projectId,
    project: row.project.slug,
    environmentId: row.environmentId,
    environment: row.environment.name,
    environmentProtected: row.environment.isProtected,
    branch: row.branch?.name ?? null,
    key: row.key,
    note: row.note,
    status: stateOf(row),
    requestedBy: row.requestedByName,
    requestedByUserId: row.requestedByUserId,
    requestedByTokenId: row.requestedByTokenId,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    fulfilledAt: row.fulfilledAt,
    fulfilledBy: row.fulfilledByName,
    cancelledAt: row.cancelledAt,
  };
}

/** Whether `actor` asked for it (the same token, or the same person through any of their tokens or sessions). */
export function isRequester(
  actor: Actor,
  request: Pick<SecretRequestView, "requestedByUserId" | "requestedByTokenId">,
) {
  if (actor.kind === "user" && request.requestedByUserId === actor.userId) return true;
  return request.requestedByTokenId !== null && request.requestedByTokenId === actor.tokenId;
}

const envRef = (r: SecretRequestView) => ({
  id: r.environmentId,
  name: r.environment,
  isProtected: r.environmentProtected,
});

/** Whether the caller may see a request: its requester, or whoever can see its environment. */
export function canSee(access: ProjectAccess | null, actor: Actor, request: SecretRequestView): boolean {
  if (isRequester(actor, request)) return true;
  return access !== null && can(access, "environment:read", envRef(request));
}

/** Whether the caller may type the value: a person signed in to the dashboard who may write the environment. */
export function canFulfill(access: ProjectAccess | null, actor: Actor | null, request: SecretRequestView): boolean {
  return (
    actor?.kind === "user" &&
    actor.sessionId !== undefined &&
    access !== null &&
    request.status === "pending" &&
    can(access, "environment:write", envRef(request))
  );
}

/** Whether the caller may cancel it: pending, and its requester or allowed to write the environment. */
export function canCancel(access: ProjectAccess | null, actor: Actor | null, request: SecretRequestView): boolean {
  if (!actor || request.status !== "pending") return false;
  return isRequester(actor, request) || (access !== null && can(access, "environment:write", envRef(request)));
}

function notFound(id: string) {
  return new NotFoundError(
    `Secret request "${id}" not found, or you cannot see it. Check the link, or ask for a new one.`,
    "SecretRequest",
  );
}

/** Why a request that is no longer pending cannot be fulfilled or cancelled. */
function notPending(view: SecretRequestView, doing: "fulfil" | "cancel"): ConflictError {
  const what = `The request for ${view.key} in "${view.environment}"`;
  const again =
    doing === "fulfil"
      ? ` Ask the requester for a new link (envplane secrets request ${view.key} --env ${view.environment}).`
      : "";
  switch (view.status) {
    case "fulfilled":
      return new ConflictError(
        `${what} was already fulfilled${view.fulfilledBy ? ` by ${view.fulfilledBy}` : ""}; a link works once.${again}`,
      );
    case "cancelled":
      return new ConflictError(`${what} was cancelled.${again}`);
    default:
      return new ConflictError(`${what} expired at ${view.expiresAt.toISOString()}.${again}`);
  }
}

function expiryHours(input: CreateSecretRequestInput): number {
  return input.expiresInHours ?? DEFAULT_EXPIRY_HOURS;
}

function createErrors(input: CreateSecretRequestInput): FieldError[] {
  const hours = expiryHours(input);
  return [
    ...check(variableKey, input.key, ["key"]),
    ...(input.branch != null ? check(branchName, input.branch, ["branch"]) : []),
    ...(input.note != null && input.note.length > MAX_NOTE_LENGTH
      ? [{ path: ["note"], message: `The note is longer than ${MAX_NOTE_LENGTH} characters. Shorten it.` }]
      : []),
    ...(!Number.isInteger(hours) || hours < 1 || hours > MAX_EXPIRY_HOURS
      ? [
          {
            path: ["expiresInHours"],
            message: `expiresInHours must be a whole number from 1 to ${MAX_EXPIRY_HOURS} (a week); got ${hours}.`,
          },
        ]
      : []),
  ];
}

/** A branch override takes its type from the base value: it must exist, and be a secret (or the value is readable). */
async function assertOverridable(
  tx: Pick<Tx, "variable">,
  env: { id: string; name: string },
  key: string,
  branch: string,
) {
  const base = await tx.variable.findUnique({
    where: { environmentId_key: { environmentId: env.id, key } },
    select: { isSecret: true },
  });
  if (!base)
    throw new ValidationError(
      `"${key}" has no base value in "${env.name}", so it cannot be overridden for branch "${branch}". ` +
        `Ask for the base value instead (leave out the branch), or set one first.`,
      [{ path: ["branch"], message: `"${key}" has no base value in "${env.name}".` }],
    );
  if (!base.isSecret)
    throw new ValidationError(
      `"${key}" is a standard variable in "${env.name}": its branch override would be readable, not a secret. ` +
        `Ask for the base value instead (it is then stored as a secret), or unset ${key} and set it as a secret first.`,
      [{ path: ["branch"], message: `"${key}" is a standard variable in "${env.name}".` }],
    );
}

export function secretRequestService({
  db,
  values,
  writes,
}: {
  db: Pick<Database, "reader">;
  values: ValueStore;
  writes: WritePath;
}) {
  async function load(id: string): Promise<SecretRequestView | null> {
    if (typeof id !== "string" || id.length > 100) return null;
    const row = await db.reader.secretRequest.findUnique({ where: { id }, include });
    return row ? viewOf(row) : null;
  }

  /** The request and the caller's access to its project, or "not found" when the caller cannot see it. */
  async function visible(actor: Actor, id: string) {
    const request = await load(id);
    if (!request) throw notFound(id);
    const access = await projectAccess(db.reader, actor, request.project).catch(() => null);
    if (!canSee(access, actor, request)) throw notFound(id);
    return { request, access };
  }

  return {
    load,
    visible,

    /** The request by id when the caller may see it; null otherwise (unknown or not visible: the same answer). */
    async get(actor: Actor, id: string): Promise<SecretRequestView | null> {
      try {
        const { request } = await visible(actor, id);
        const standard = await db.reader.variable.findUnique({
          where: { environmentId_key: { environmentId: request.environmentId, key: request.key } },
          select: { isSecret: true },
        });
        return { ...request, replacesStandardValue: standard !== null && !standard.isSecret };
      } catch (error) {
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    },

    async create(actor: Actor, input: CreateSecretRequestInput): Promise<SecretRequestView> {
      assertValid(createErrors(input));
      let branch: { id: string; name: string } | null = null;
      return writes.run(
        {
          actor,
          action: "secret_request.create",
          project: input.project,
          environment: input.environment,
          permission: "environment:write",
          authorize: async ({ access, env }) => {
            if (input.branch == null) return;
            if (env!.name === "development")
              throw new ValidationError(
                'Branch overrides are not available on "development" (it is not mapped to any project branch). ' +
                  "Ask for the base value instead (leave out the branch).",
                [{ path: ["branch"], message: "No branch overrides on development." }],
              );
            branch = await findBranch(db.reader, access, input.branch);
          },
        },
        async ({ tx, access, env, record }) => {
          await assertNotManaged(tx, env, [input.key], () => ["key"]);
          if (branch) await assertOverridable(tx, env, input.key, branch.name);
          const id = randomBytes(18).toString("base64url");
          const expiresAt = new Date(Date.now() + expiryHours(input) * 3600_000);
          const note = input.note?.trim() || null;
          const row = await tx.secretRequest.create({
            data: {
              id,
              projectId: access.project.id,
              environmentId: env.id,
              branchId: branch?.id ?? null,
              key: input.key,
              note,
              requestedByUserId: actor.kind === "user" ? actor.userId : null,
              requestedByTokenId: actor.tokenId,
              requestedByName: actor.name ?? (actor.kind === "service" ? "service token" : "a user"),
              expiresAt,
            },
          });
          record({
            keys: [input.key],
            branchId: branch?.id ?? null,
            metadata: { requestId: id, expiresAt: expiresAt.toISOString() },
          });
          // The names are in hand (the write path's lookup, before the transaction): no read back. isProtected is as
          // that lookup saw it; it only says who may fulfil or cancel, which fulfil and cancel check again.
          return viewOf({
            ...row,
            project: { slug: access.project.slug },
            environment: { name: env.name, isProtected: env.isProtected },
            branch: branch && { name: branch.name },
          });
        },
      );
    },

    /**
     * Stores `value` as the secret asked for (the base value, or the branch's override) and marks the request
     * fulfilled, in one transaction that bumps the environment's revision. Only a person in a dashboard session.
     */
    async fulfill(actor: Actor, input: { id: string; value: string }) {
      const { request } = await visible(actor, input.id);
      if (actor.kind !== "user" || actor.sessionId === undefined)
        throw new ForbiddenError(
          "Only a person signed in to the dashboard can fulfil a secret request; tokens cannot, so that the agent or " +
            `script that asked never handles the value. Open /requests/${request.id} in the dashboard.`,
        );
      assertValid(check(variableValue, input.value, ["value"]));
      if (request.status !== "pending") throw notPending(request, "fulfil");
      return writes.run(
        {
          actor,
          action: "secret_request.fulfill",
          project: request.project,
          environment: request.environment,
          permission: "environment:write",
          bump: true,
        },
        async ({ tx, access, env, revision, record }) => {
          if (env.id !== request.environmentId) throw notFound(request.id);
          const now = new Date();
          // The one winner: only a pending, unexpired request changes; a concurrent fulfil finds none.
          const { count } = await tx.secretRequest.updateMany({
            where: { id: request.id, status: "pending", expiresAt: { gt: now } },
            data: {
              status: "fulfilled",
              fulfilledAt: now,
              fulfilledByUserId: actor.userId,
              fulfilledByName: actor.name ?? null,
            },
          });
          if (count !== 1) {
            const current = await findIn(tx, request.id);
            throw current ? notPending(viewOf(current), "fulfil") : notFound(request.id);
          }
          await assertNotManaged(tx, env, [request.key], () => ["value"]);
          const projectId = access.project.id;
          const { activeKeyVersion } = await tx.project.findUniqueOrThrow({
            where: { id: projectId },
            select: { activeKeyVersion: true },
          });
          const existing = await tx.variable.findUnique({
            where: { environmentId_key: { environmentId: env.id, key: request.key } },
            select: { id: true, isSecret: true },
          });
          let branchId: string | null = null;
          if (request.branch === null) {
            await values.upsert(
              tx,
              { projectId, environmentId: env.id, keyVersion: activeKeyVersion, valueVersion: revision },
              [{ key: request.key, value: input.value, isSecret: true }],
              { access, pathOf: () => ["value"] },
            );
            // A standard value of that key becomes a secret (the page said it replaces the current value).
            if (existing && !existing.isSecret)
              await tx.variable.update({ where: { id: existing.id }, data: { isSecret: true } });
          } else {
            const branch = await findBranch(tx, access, request.branch);
            branchId = branch.id;
            await assertOverridable(tx, env, request.key, branch.name);
            const ciphertext = Buffer.from(
              await values.encryptOne(
                { projectId, environmentId: env.id, branchId: branch.id, key: request.key, valueVersion: revision },
                input.value,
                activeKeyVersion,
                tx,
              ),
            );
            const where = { variableId_branchId: { variableId: existing!.id, branchId: branch.id } };
            const data = { ciphertext, keyVersion: activeKeyVersion, valueVersion: revision, references: "[]" };
            await tx.branchOverride.upsert({
              where,
              create: { variableId: existing!.id, branchId: branch.id, ...data },
              update: { ...data, updatedAt: now },
            });
          }
          record({
            keys: [request.key],
            branchId,
            metadata: {
              requestId: request.id,
              created: !existing,
              isSecret: true,
              ...(existing && !existing.isSecret ? { replacedStandard: true } : {}),
            },
          });
          const row = await withNames(tx, await tx.secretRequest.findUniqueOrThrow({ where: { id: request.id } }));
          return { request: viewOf(row), revision };
        },
      );
    },

    /** Cancels a pending request: its requester, or anyone who may write its environment. */
    async cancel(actor: Actor, input: { id: string }): Promise<SecretRequestView> {
      const { request, access } = await visible(actor, input.id);
      if (request.status === "pending" && !canCancel(access, actor, request))
        throw new ForbiddenError(
          `Only whoever asked for it, or someone who may change "${request.environment}" of project ` +
            `"${request.project}", can cancel this secret request.`,
        );
      if (request.status !== "pending") throw notPending(request, "cancel");
      return writes.run(
        // No `project` in the spec: the requester (e.g. a token since limited) may cancel without write access.
        { actor, action: "secret_request.cancel" },
        async ({ tx, record }) => {
          const now = new Date();
          const { count } = await tx.secretRequest.updateMany({
            where: { id: request.id, status: "pending", expiresAt: { gt: now } },
            data: { status: "cancelled", cancelledAt: now, cancelledByName: actor.name ?? null },
          });
          if (count !== 1) {
            const current = await findIn(tx, request.id);
            throw current ? notPending(viewOf(current), "cancel") : notFound(request.id);
          }
          const row = await withNames(tx, await tx.secretRequest.findUniqueOrThrow({ where: { id: request.id } }));
          record({
            projectId: request.projectId,
            environmentId: request.environmentId,
            branchId: row.branchId,
            keys: [request.key],
            metadata: { requestId: request.id },
          });
          return viewOf(row);
        },
      );
    },

    /** The project's requests the caller can see, newest first (`status` filters; expired = pending past expiry). */
    async list(actor: Actor, project: string, input: ListSecretRequestsInput & { take: number; where?: object }) {
      const access = await projectAccess(db.reader, actor, project);
      const now = new Date();
      const status =
        input.status == null
          ? {}
          : input.status === "pending"
            ? { status: "pending", expiresAt: { gt: now } }
            : input.status === "expired"
              ? { status: "pending", expiresAt: { lte: now } }
              : { status: input.status };
      const scope =
        actor.kind === "service" && actor.environmentIds
          ? { OR: [{ environmentId: { in: [...actor.environmentIds] } }, { requestedByTokenId: actor.tokenId }] }
          : {};
      const base = { projectId: access.project.id, ...status, ...scope };
      const rows = await db.reader.secretRequest.findMany({
        where: input.where ? { AND: [base, input.where] } : base,
        include,
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: input.take,
      });
      return {
        rows: rows.map(viewOf),
        count: () => db.reader.secretRequest.count({ where: base }),
      };
    },
  };
}

export type SecretRequestService = ReturnType<typeof secretRequestService>;
