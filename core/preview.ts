/**
 * Value previews for listings: a standard value's first 12 characters (code points, so an emoji
 * or another surrogate pair is never split) and "…" when it is longer; a secret is always "••••".
 */
export const PREVIEW_LENGTH = 12;
export const SECRET_PREVIEW = "••••";

export function previewOf(value: string, isSecret = false): string {
  if (isSecret) return SECRET_PREVIEW;
  const chars = Array.from(value);
  return chars.length > PREVIEW_LENGTH ? `${chars.slice(0, PREVIEW_LENGTH).join("")}…` : value;
}
