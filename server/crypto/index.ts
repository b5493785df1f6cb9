/** Encryption at rest: public API. */
export { FORMAT_VERSION, CryptoError, seal, open, readBlobHeader, utf8 } from "./aead.js";
export type { Bytes, CryptoErrorCode } from "./aead.js";
export { valueAad, dataKeyAad, sentinelAad } from "./aad.js";
export {
  fingerprint,
  RootKeyError,
  loadRootKey,
  newDataKey,
  wrapDataKey,
  unwrapDataKey,
  makeSentinel,
  checkSentinel,
} from "./root-key.js";
export type { LoadedRootKey } from "./root-key.js";
