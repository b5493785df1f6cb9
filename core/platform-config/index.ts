/**
 * envplane/config.json: the platform's config schema (features), questions about it (queries)
 * and its resolution against variable layers the caller reads (resolve). Sensitive values
 * never sit in the file: it is committed to Git.
 */
export { canonicalName, type FeatureInfo } from "./features.js";
export {
  enableFeature,
  featureOfVariable,
  findFeature,
  knownFeaturePatterns,
  unknownWildcard,
} from "./queries.js";
export {
  formatMissing,
  formatMissingFeature,
  type Layers,
  type Resolution,
  resolveConfig,
  type Source,
} from "./resolve.js";
