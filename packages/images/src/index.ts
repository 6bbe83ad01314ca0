export {
  canonicalReference,
  DOCKER_HUB,
  type ImageReference,
  type ParsedImageReference,
  parseImageReference,
  registryHost,
  sameRepository,
} from "./image-reference.js";
