/**
 * The one rule for names that look like they hold a secret. It decides which config.json fields
 * must be env(NAME) references, and which new keys push, seed and config enable offer to store
 * as secrets by default.
 */

/** Matched after camelCase and - are read as _ (apiKey, api-key → api_key). */
const SENSITIVE_NAME = /secret|password|passwd|token|private_key|api_key|_key$|^key$/i;

export function isSensitiveName(name: string): boolean {
  return SENSITIVE_NAME.test(name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/-/g, "_"));
}
