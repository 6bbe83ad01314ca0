export {
  BUNDLE_ROOTS,
  type BundleInput,
  type BundleWasm,
  buildBundle,
  bundleFiles,
  contentRevision,
  MANIFEST_FILE,
  WASM_MODULE_FILE,
} from "./build-bundle.js";
export { canonicalJson } from "./canonical-json.js";
export { bundleFileHash, HASH_ALGORITHMS, hashedBytes, SIGNATURES_FILE } from "./hash.js";
export {
  type BundleKey,
  parseSigningAlgorithm,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
  signingKey,
  verificationKey,
} from "./keys.js";
export { type BundleSigning, type SignedFile, signBundle, signedFiles } from "./sign.js";
export { packTarGz } from "./tar.js";
export {
  DEFAULT_MAX_ENTRY_BYTES,
  DEFAULT_MAX_TOTAL_BYTES,
  readTarGz,
  readTarGzEntries,
  type TarEntry,
  type TarLimits,
} from "./tar-reader.js";
export { type BundleVerification, type VerifyOptions, verifyBundle } from "./verify.js";
