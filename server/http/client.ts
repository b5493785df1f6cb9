/** Where a request came from, as the audit log records it. */

/**
 * The caller's address and User-Agent. Behind a trusted proxy (ENVPLANE_TRUST_PROXY=1) the address is the last
 * X-Forwarded-For entry, the one that proxy saw (earlier entries are whatever the client claimed).
 */
export function requestDetails(
  request: Request,
  socketAddress: string | undefined | null,
  trustProxy: boolean,
): { clientAddress: string | null; userAgent: string | null } {
  const forwarded = trustProxy ? request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim() : undefined;
  return {
    clientAddress: forwarded || (socketAddress && socketAddress !== "in-process" ? socketAddress : null),
    userAgent: request.headers.get("user-agent"),
  };
}
