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
export { packTarGz, readTarGz } from "./tar.js";
export { type BundleVerification, type VerifyOptions, verifyBundle } from "./verify.js";
