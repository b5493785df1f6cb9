/** Reading a request body with a size limit, for the routes outside GraphQL (sign-in, GitHub deliveries, /mcp). */

/**
 * The raw body, or null past `limit` bytes: a declared Content-Length over the limit is refused
 * unread, and a chunked body is read only that far, never whole.
 */
export async function readBodyBytes(request: Request, limit: number): Promise<Uint8Array | null> {
  if (Number(request.headers.get("content-length") ?? 0) > limit) return null;
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
