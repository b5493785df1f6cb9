/** Encryption at rest: public API. */

export { dataKeyAad, noteAad, sentinelAad, valueAad, webhookSecretAad } from "./aad.js";
export type { Bytes, CryptoErrorCode } from "./aead.js";
export { CryptoError, FORMAT_VERSION, open, readBlobHeader, seal, utf8 } from "./aead.js";
export type { LoadedRootKey } from "./root-key.js";
export {
  checkSentinel,
  fingerprint,
  loadRootKey,
  makeSentinel,
  newDataKey,
  RootKeyError,
  unwrapDataKey,
  wrapDataKey,
} from "./root-key.js";
