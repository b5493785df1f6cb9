/**
 * Dashboard sessions: created by signing in with a personal token or a one-time sign-in link,
 * listed and revoked by their user. Only SHA-256 hashes of session secrets and link codes are
 * stored. A session acts with its user's rights (an Actor of kind "user" with a sessionId).
 */
import { assertCanOnInstance } from "../authz/index.js";
import type { Database } from "../db/client.js";
import { Rollback, type WritePath } from "../events/index.js";
import type { Actor, ActorDetails } from "./actor.js";
import { AuthenticationError, type authService } from "./auth.js";
import { ForbiddenError, NotFoundError } from "./errors.js";
import { generateSessionSecret, generateSignInCode, hashToken, isSignInCode, parseToken } from "./token-format.js";

export interface SessionOptions {
  /** Absolute lifetime of a session (default 12 h). */
  hours?: number;
}

/** How long a sign-in link can be used. */
export const SIGN_IN_LINK_MS = 2 * 60_000;
export const USER_AGENT_MAX = 200;

type UserActor = Extract<Actor, { kind: "user" }>;

export interface NewSession {
  /** The cookie's value; never stored. */
  secret: string;
  id: string;
  userId: string;
  expiresAt: Date;
}

/** A personal token or code that cannot sign in (HTTP 401), or a service token (HTTP 403). */
export class SignInError extends AuthenticationError {
  constructor(
    message: string,
    readonly status: 401 | 403 = 401,
  ) {
    super(message);
  }
}

export function sessionService(
  {
    db,
    writes,
    auth,
  }: { db: Pick<Database, "reader" | "writer">; writes: WritePath; auth: ReturnType<typeof authService> },
  options: SessionOptions = {},
) {
  const lifetimeMs = Math.round((options.hours ?? 12) * 3_600_000);

  /** Writes the session (with its event) in the work's transaction; `consume` runs first in it. */
  async function create(
    actor: UserActor,
    tokenExpiresAt: Date | null,
    via: "token" | "link",
    userAgent: string,
    now: Date,
    consume?: (tx: Parameters<Parameters<WritePath["run"]>[1]>[0]["tx"]) => Promise<void>,
  ): Promise<NewSession> {
    const secret = generateSessionSecret();
    const limit = new Date(now.getTime() + lifetimeMs);
    const expiresAt = tokenExpiresAt && tokenExpiresAt < limit ? tokenExpiresAt : limit;
    const row = await writes.run({ actor, action: "session.create" }, async ({ tx, record }) => {
      await consume?.(tx);
      // Expired sessions of this user are of no use to anyone: cleared as a new one starts.
      await tx.session.deleteMany({ where: { userId: actor.userId, expiresAt: { lte: now } } });
      const created = await tx.session.create({
        data: {
          userId: actor.userId,
          tokenId: actor.tokenId,
          hash: hashToken(secret),
          createdAt: now,
          lastUsedAt: now,
          expiresAt,
          userAgent: userAgent.slice(0, USER_AGENT_MAX),
          createdVia: via,
        },
      });
      record({ metadata: { session: created.id, via } });
      return created;
    });
    return { secret, id: row.id, userId: row.userId, expiresAt: row.expiresAt };
  }

  return {
    lifetimeMs,

    /** What the sign-in answer says about the user. */
    async user(userId: string) {
      return db.reader.user.findUniqueOrThrow({
        where: { id: userId },
        select: { id: true, name: true, email: true, isInstanceAdmin: true, createdAt: true },
      });
    },

    /** Signs in with a personal token. */
    async signInWithToken(
      token: string,
      userAgent: string,
      now = new Date(),
      details: ActorDetails = {},
    ): Promise<NewSession> {
      const kind = parseToken(token);
      if (!kind)
        throw new SignInError(
          "The token is malformed (bad prefix, length or checksum). Copy it again; personal tokens start with envp_pat_.",
        );
      if (kind === "service")
        throw new SignInError(
          "Service tokens cannot sign in to the dashboard: they belong to a project, not a person. " +
            'Sign in with a personal token (envp_pat_…), or run "envplane dashboard" for a sign-in link.',
          403,
        );
      const { actor, expiresAt } = await auth.lookup(hashToken(token), now).catch((error) => {
        throw error instanceof AuthenticationError ? new SignInError(error.message) : error;
      });
      if (actor.kind !== "user") throw new SignInError("Only personal tokens can sign in to the dashboard.", 403);
      return create({ ...actor, ...details }, expiresAt, "token", userAgent, now);
    },

    /** Signs in with a sign-in link's code: the link is used up in the session's own transaction. */
    async signInWithCode(
      code: string,
      userAgent: string,
      now = new Date(),
      details: ActorDetails = {},
    ): Promise<NewSession> {
      const unusable = new SignInError(
        'This sign-in link is not valid: it expired (links last 2 minutes), was already used, or was mistyped. Run "envplane dashboard" for a new one.',
      );
      if (!isSignInCode(code)) throw unusable;
      const hash = hashToken(code);
      const link = await db.reader.signInLink.findUnique({ where: { hash } });
      if (!link || link.usedAt || link.expiresAt <= now) throw unusable;
      const { actor, expiresAt } = await auth.lookupWhere({ id: link.tokenId }, now).catch((error) => {
        throw error instanceof AuthenticationError
          ? new SignInError(`The token that created this sign-in link cannot be used: ${error.message}`)
          : error;
      });
      if (actor.kind !== "user") throw unusable;
      return create({ ...actor, ...details }, expiresAt, "link", userAgent, now, async (tx) => {
        // The one statement that decides which of two concurrent redemptions wins.
        const { count } = await tx.signInLink.updateMany({
          where: { id: link.id, usedAt: null, expiresAt: { gt: now } },
          data: { usedAt: now },
        });
        if (count !== 1) throw unusable;
      });
    },

    /** Ends the session behind a cookie (sign out). Unknown or ended sessions: nothing to do. */
    async signOut(secret: string, details: ActorDetails = {}, now = new Date()): Promise<void> {
      let actor: Actor;
      try {
        actor = { ...(await auth.authenticateSession(secret, now)), ...details };
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        // Already ended: remove the row if it is still there (no event: nothing a user did changed).
        await db.writer.session.deleteMany({ where: { hash: hashToken(secret) } });
        return;
      }
      const sessionId = (actor as UserActor).sessionId!;
      await writes.run({ actor, action: "session.revoke" }, async ({ tx, record }) => {
        const { count } = await tx.session.deleteMany({ where: { id: sessionId } });
        if (count === 0) throw new Rollback(undefined);
        record({ metadata: { session: sessionId, signOut: true } });
      });
    },

    /** Creates a one-time sign-in link's code for the caller (a user, not a service token). */
    async createSignInLink(actor: Actor, now = new Date()): Promise<{ code: string; expiresAt: Date }> {
      assertCanOnInstance(
        actor,
        "token:create",
        "Service tokens cannot create sign-in links: they belong to a project, not a person. Use a personal token.",
      );
      if (actor.kind === "user" && actor.sessionId)
        throw new ForbiddenError(
          "Sign-in links are made with a personal token (envplane dashboard): a dashboard session cannot make one, " +
            "or it could extend itself past its own expiry.",
        );
      const code = generateSignInCode();
      const expiresAt = new Date(now.getTime() + SIGN_IN_LINK_MS);
      await writes.run({ actor, action: "sign_in_link.create" }, async ({ tx, record }) => {
        // Used and expired links are of no use: cleared as a new one is made.
        await tx.signInLink.deleteMany({
          where: { userId: actor.userId, OR: [{ usedAt: { not: null } }, { expiresAt: { lte: now } }] },
        });
        const link = await tx.signInLink.create({
          data: { userId: actor.userId, tokenId: actor.tokenId, hash: hashToken(code), createdAt: now, expiresAt },
        });
        record({ metadata: { link: link.id } });
      });
      return { code, expiresAt };
    },

    /** Revokes one of the caller's own sessions. */
    async revokeSession(actor: Actor, id: string): Promise<{ id: string }> {
      assertCanOnInstance(actor, "token:create", "Service tokens have no dashboard sessions.");
      const notFound = new NotFoundError(
        `Session "${id}" not found: it ended already, or is not one of yours. List them with viewer.sessions.`,
        "Session",
      );
      const row = await db.reader.session.findUnique({ where: { id }, select: { id: true, userId: true } });
      if (!row || row.userId !== actor.userId) throw notFound;
      await writes.run({ actor, action: "session.revoke" }, async ({ tx, record }) => {
        const { count } = await tx.session.deleteMany({ where: { id, userId: actor.userId } });
        if (count === 0) throw notFound;
        record({ metadata: { session: id } });
      });
      return { id };
    },

    /** Revokes every session of the caller but the one making the request. */
    async revokeOtherSessions(actor: Actor): Promise<{ count: number }> {
      if (actor.kind !== "user") throw new ForbiddenError("Service tokens have no dashboard sessions.");
      const keep = actor.sessionId;
      return writes.run({ actor, action: "session.revoke_others" }, async ({ tx, record }) => {
        const { count } = await tx.session.deleteMany({
          where: { userId: actor.userId, ...(keep ? { id: { not: keep } } : {}) },
        });
        if (count === 0) throw new Rollback({ count });
        record({ metadata: { count } });
        return { count };
      });
    },
  };
}
