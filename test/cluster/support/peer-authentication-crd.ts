/** What the cluster differentials install so the library's PeerAuthentication policy is judged. */
import type { JsonObject } from "@charter/ir";

/** A minimal PeerAuthentication kind (security.istio.io/v1), so its policy is judged. */
export const PEER_AUTHENTICATION_CRD: JsonObject = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "peerauthentications.security.istio.io" },
  spec: {
    group: "security.istio.io",
    names: {
      kind: "PeerAuthentication",
      plural: "peerauthentications",
      singular: "peerauthentication",
    },
    scope: "Namespaced",
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                properties: {
                  mtls: { type: "object", properties: { mode: { type: "string" } } },
                  portLevelMtls: {
                    type: "object",
                    additionalProperties: {
                      type: "object",
                      properties: { mode: { type: "string" } },
                    },
                  },
                  selector: {
                    type: "object",
                    properties: {
                      matchLabels: { type: "object", additionalProperties: { type: "string" } },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};
