export {
  ADMISSION_API_VERSION,
  type AdmissionRequest,
  readAdmissionReview,
} from "./admission-review.js";
export { readsScans, VULNERABILITY_REPORT_KIND } from "./caches/cached-kinds.js";
export {
  type DecisionEvent,
  type DecisionLabels,
  decisionEvent,
  decisionLabels,
} from "./decision-event.js";
export { type DecisionLog, type DecisionLogOptions, openDecisionLog } from "./decision-log.js";
export {
  type AdmissionImages,
  DEFAULT_IMAGE_DEADLINE_MS,
  imageFactsFor,
  NO_REGISTRY,
  type RegistryImagesOptions,
  registryImages,
} from "./image-facts.js";
export {
  createJudge,
  type Judge,
  type JudgeOptions,
  type Verdict,
  type WebhookPolicySet,
} from "./judge-review.js";
export {
  type CachedKindState,
  type JudgingContext,
  kindName,
  staticJudgingContext,
} from "./judging-context.js";
export { MAX_REVIEW_BYTES, MAX_REVIEW_DEPTH } from "./read-review-body.js";
export {
  annotationKey,
  auditAnnotationsOf,
  denialMessage,
  MAX_ANNOTATION_VALUE_BYTES,
  MAX_DENIAL_MESSAGE_BYTES,
  MAX_WARNING_RUNES,
  MAX_WARNINGS_TOTAL_RUNES,
  reviewAnswer,
  warningsOf,
} from "./review-response.js";
export {
  checkTlsPair,
  readTlsPair,
  type TlsPair,
  type TlsWatcher,
  watchTlsFiles,
} from "./tls-files.js";
export {
  createWebhookServer,
  type WebhookServer,
  type WebhookServerOptions,
} from "./webhook-server.js";
