import { VERSION } from "./version.js";

/**
 * The image `docker build -f deploy/webhook/Dockerfile -t charter-webhook:<version> .` makes
 * (docs/webhook.md): this CLI's version, so manifests and image move together. Push it to your
 * registry and name it with `--webhook-image`.
 */
export const DEFAULT_WEBHOOK_IMAGE = `charter-webhook:${VERSION}`;
