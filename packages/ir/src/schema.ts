/**
 * The JSON schema of serialised IR, and a validator for IR read from disk. The schema mirrors
 * the types in expr.ts and policy.ts; a test keeps the two in step.
 */
import type { ErrorObject } from "ajv";
import { type Ajv, newAjv } from "./lazy-ajv.js";
import { OPERATIONS } from "./operations.js";
import { TARGET_NAMES } from "./policy.js";
import type { PolicySet } from "./policy-set.js";
import { NAMESPACE_NAME_PATTERN } from "./system-namespaces.js";

const name = { type: "string", pattern: "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", maxLength: 63 };
const identifier = { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$" };
const expr = { $ref: "#/definitions/expr" };
const strings = { type: "array", items: { type: "string" } };

/**
 * Kubernetes label syntax (what the API server accepts in a selector): a key is an optional
 * DNS-subdomain prefix of at most 253 characters and `/`, then a name of 1 to 63 characters,
 * alphanumeric at both ends with `-`, `_`, `.` inside; a value is empty or such a name.
 */
export const LABEL_KEY_PATTERN =
  "^(?:(?=[^/]{1,253}/)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$";
export const LABEL_VALUE_PATTERN = "^(?:(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?$";

const labelKey = { type: "string", pattern: LABEL_KEY_PATTERN };
const labelValue = { type: "string", pattern: LABEL_VALUE_PATTERN };

function node(kind: string, properties: Record<string, unknown>): object {
  return {
    type: "object",
    required: ["kind", ...Object.keys(properties)],
    additionalProperties: false,
    properties: { kind: { const: kind }, ...properties },
  };
}

export const IR_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://charter.dev/schemas/ir-v1.json",
  type: "object",
  required: ["irVersion", "policies"],
  additionalProperties: false,
  properties: {
    irVersion: { const: 1 },
    policies: { type: "array", items: { $ref: "#/definitions/policy" } },
    exceptions: { type: "array", items: { $ref: "#/definitions/exception" } },
    systemNamespaces: {
      type: "array",
      uniqueItems: true,
      items: { type: "string", pattern: NAMESPACE_NAME_PATTERN.source },
    },
  },
  definitions: {
    exception: {
      type: "object",
      required: ["name", "policy", "match", "reason", "owner", "expires"],
      additionalProperties: false,
      properties: {
        name,
        policy: name,
        rules: { type: "array", minItems: 1, items: { type: "string" } },
        match: {
          type: "object",
          minProperties: 1,
          additionalProperties: false,
          properties: {
            namespaces: { type: "array", minItems: 1, items: { type: "string", minLength: 1 } },
            names: { type: "array", minItems: 1, items: { type: "string", minLength: 1 } },
            kinds: {
              type: "array",
              minItems: 1,
              items: {
                type: "object",
                required: ["group", "kind"],
                additionalProperties: false,
                properties: { group: { type: "string" }, kind: { type: "string", minLength: 1 } },
              },
            },
            labels: { $ref: "#/definitions/labels" },
            images: { type: "array", minItems: 1, items: { type: "string", minLength: 1 } },
          },
        },
        reason: { type: "string", minLength: 1 },
        owner: { type: "string", minLength: 1 },
        expires: {
          type: "string",
          pattern: "^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2}))?$",
        },
        source: { $ref: "#/definitions/source" },
      },
    },
    root: {
      oneOf: [
        node("object", {}),
        node("pod", {}),
        node("containers", {}),
        node("params", {}),
        node("namespace", {}),
        node("request", {}),
        node("var", { name: identifier }),
      ],
    },
    expr: {
      oneOf: [
        node("literal", { value: {} }),
        node("list", { items: { type: "array", items: expr } }),
        node("ref", {
          root: { $ref: "#/definitions/root" },
          path: {
            type: "array",
            items: { oneOf: [{ type: "string" }, { type: "integer", minimum: 0 }] },
          },
        }),
        node("compare", {
          op: { enum: ["==", "!=", "<", "<=", ">", ">="] },
          left: expr,
          right: expr,
        }),
        node("in", { item: expr, collection: expr }),
        node("string", {
          op: { enum: ["startsWith", "endsWith", "contains", "matches", "glob"] },
          left: expr,
          right: expr,
        }),
        node("and", { args: { type: "array", items: expr, minItems: 1 } }),
        node("or", { args: { type: "array", items: expr, minItems: 1 } }),
        node("not", { arg: expr }),
        node("quantifier", {
          quantifier: { enum: ["any", "all", "none"] },
          variable: identifier,
          collection: expr,
          body: expr,
        }),
        node("exists", { arg: expr }),
        node("default", { value: expr, fallback: expr }),
        node("len", { arg: expr }),
        node("keys", { arg: expr }),
        node("index", { value: expr, key: expr }),
        {
          type: "object",
          required: ["kind", "apiVersion", "resource"],
          additionalProperties: false,
          properties: {
            kind: { const: "inventory" },
            apiVersion: { type: "string", pattern: "^([a-z0-9.-]+/)?v[0-9a-z]+$" },
            resource: { type: "string", pattern: "^[A-Z][A-Za-z0-9]*$" },
            namespace: expr,
          },
        },
      ],
    },
    source: {
      type: "object",
      required: ["file", "line"],
      additionalProperties: false,
      properties: {
        file: { type: "string" },
        line: { type: "integer", minimum: 1 },
        column: { type: "integer", minimum: 1 },
      },
    },
    namespaces: {
      type: "object",
      additionalProperties: false,
      properties: { include: strings, exclude: strings },
    },
    operations: {
      type: "array",
      minItems: 1,
      uniqueItems: true,
      items: { enum: [...OPERATIONS] },
    },
    labels: {
      type: "object",
      additionalProperties: false,
      properties: {
        matchLabels: {
          type: "object",
          propertyNames: labelKey,
          additionalProperties: labelValue,
        },
        matchExpressions: {
          type: "array",
          items: {
            oneOf: [
              {
                type: "object",
                required: ["key", "operator", "values"],
                additionalProperties: false,
                properties: {
                  key: labelKey,
                  operator: { enum: ["In", "NotIn"] },
                  values: { type: "array", minItems: 1, items: labelValue },
                },
              },
              {
                type: "object",
                required: ["key", "operator"],
                additionalProperties: false,
                properties: { key: labelKey, operator: { enum: ["Exists", "DoesNotExist"] } },
              },
            ],
          },
        },
      },
    },
    match: {
      oneOf: [
        {
          type: "object",
          required: ["subject", "controllers"],
          additionalProperties: false,
          properties: {
            subject: { const: "pod" },
            controllers: { type: "boolean" },
            namespaces: { $ref: "#/definitions/namespaces" },
            labels: { $ref: "#/definitions/labels" },
            operations: { $ref: "#/definitions/operations" },
          },
        },
        {
          type: "object",
          required: ["subject", "kinds"],
          additionalProperties: false,
          properties: {
            subject: { const: "kinds" },
            kinds: {
              type: "array",
              minItems: 1,
              items: {
                type: "object",
                required: ["group", "kind"],
                additionalProperties: false,
                properties: { group: { type: "string" }, kind: { type: "string", minLength: 1 } },
              },
            },
            namespaces: { $ref: "#/definitions/namespaces" },
            labels: { $ref: "#/definitions/labels" },
            operations: { $ref: "#/definitions/operations" },
          },
        },
      ],
    },
    messagePart: {
      oneOf: [
        node("text", { text: { type: "string" } }),
        node("hole", { expr, source: { type: "string" } }),
      ],
    },
    identityMatch: {
      oneOf: [
        {
          type: "object",
          required: ["exact"],
          additionalProperties: false,
          properties: { exact: { type: "string", minLength: 1 } },
        },
        {
          type: "object",
          required: ["regex"],
          additionalProperties: false,
          properties: { regex: { type: "string", minLength: 1 } },
        },
      ],
    },
    attestor: {
      oneOf: [
        {
          type: "object",
          required: ["name", "kind", "publicKey"],
          additionalProperties: false,
          properties: {
            name: identifier,
            kind: { const: "key" },
            publicKey: { type: "string", minLength: 1 },
          },
        },
        {
          type: "object",
          required: ["name", "kind", "param"],
          additionalProperties: false,
          properties: {
            name: identifier,
            kind: { const: "keys" },
            param: identifier,
          },
        },
        {
          type: "object",
          required: ["name", "kind", "issuer", "subject"],
          additionalProperties: false,
          properties: {
            name: identifier,
            kind: { const: "keyless" },
            issuer: { $ref: "#/definitions/identityMatch" },
            subject: { $ref: "#/definitions/identityMatch" },
            trustedRoot: { type: "string", minLength: 1 },
          },
        },
      ],
    },
    maxAge: {
      type: "object",
      required: ["path", "days"],
      additionalProperties: false,
      properties: {
        path: { type: "array", items: { type: ["string", "integer"] } },
        days: { type: "number", exclusiveMinimum: 0 },
      },
    },
    imageRequirement: {
      oneOf: [
        node("digest", { name: identifier }),
        node("signature", {
          name: identifier,
          attestors: { type: "array", minItems: 1, items: identifier },
          count: { type: "integer", minimum: 1 },
        }),
        {
          type: "object",
          required: ["kind", "name", "predicateType", "attestors"],
          additionalProperties: false,
          properties: {
            kind: { const: "attestation" },
            name: identifier,
            predicateType: { type: "string", minLength: 1 },
            attestors: { type: "array", minItems: 1, items: identifier },
            condition: expr,
            maxAge: { $ref: "#/definitions/maxAge" },
          },
        },
        {
          type: "object",
          required: ["kind", "name"],
          additionalProperties: false,
          properties: {
            kind: { const: "vulnerabilities" },
            name: identifier,
            condition: expr,
            maxAge: { $ref: "#/definitions/maxAge" },
          },
        },
      ],
    },
    imageRules: {
      type: "object",
      required: ["references", "attestors", "requirements"],
      additionalProperties: false,
      properties: {
        references: strings,
        attestors: { type: "array", items: { $ref: "#/definitions/attestor" } },
        requirements: {
          type: "array",
          minItems: 1,
          items: { $ref: "#/definitions/imageRequirement" },
        },
      },
    },
    imageFacts: {
      type: "object",
      required: ["reference", "signatures", "attestations"],
      additionalProperties: false,
      properties: {
        reference: { type: "string" },
        digest: { type: "string", pattern: "^sha256:[0-9a-f]{64}$" },
        signatures: {
          type: "array",
          items: {
            type: "object",
            required: ["attestor"],
            additionalProperties: false,
            properties: { attestor: identifier },
          },
        },
        attestations: {
          type: "array",
          items: {
            type: "object",
            required: ["attestor", "predicateType", "predicate"],
            additionalProperties: false,
            properties: { attestor: identifier, predicateType: { type: "string" }, predicate: {} },
          },
        },
        scan: {
          type: "object",
          required: ["source", "vulnerabilities"],
          additionalProperties: false,
          properties: {
            source: { type: "string" },
            finishedAt: { type: "string" },
            vulnerabilities: {
              type: "array",
              items: {
                type: "object",
                required: ["id", "severity", "package"],
                additionalProperties: false,
                properties: {
                  id: { type: "string" },
                  severity: { type: "string" },
                  package: { type: "string" },
                  installedVersion: { type: "string" },
                  fixedVersion: { type: "string" },
                },
              },
            },
          },
        },
        notes: strings,
        error: { type: "string" },
        unverified: { type: "string" },
        unscanned: { type: "string" },
      },
    },
    rule: {
      type: "object",
      required: ["name", "condition", "message"],
      additionalProperties: false,
      properties: {
        name: identifier,
        condition: expr,
        message: {
          type: "object",
          required: ["template", "parts"],
          additionalProperties: false,
          properties: {
            template: { type: "string" },
            parts: { type: "array", items: { $ref: "#/definitions/messagePart" } },
          },
        },
        remediation: { type: "string" },
      },
    },
    testCase: {
      type: "object",
      required: ["name", "expect", "resource"],
      additionalProperties: false,
      properties: {
        name: { type: "string", minLength: 1 },
        expect: { enum: ["pass", "fail"] },
        resource: {},
        inventory: { type: "array" },
        rules: strings,
        params: { type: "object" },
        operation: { enum: [...OPERATIONS] },
        oldObject: { type: "object" },
        userInfo: { $ref: "#/definitions/userInfo" },
        images: { type: "object", additionalProperties: { $ref: "#/definitions/imageFacts" } },
        source: { $ref: "#/definitions/source" },
      },
    },
    userInfo: {
      type: "object",
      additionalProperties: false,
      properties: {
        username: { type: "string" },
        uid: { type: "string" },
        groups: strings,
        extra: { type: "object", additionalProperties: strings },
      },
    },
    policy: {
      type: "object",
      required: [
        "name",
        "title",
        "description",
        "severity",
        "category",
        "controls",
        "enforcement",
        "match",
        "parameters",
        "rules",
        "cases",
      ],
      // A policy checks something: rules, or image requirements.
      anyOf: [{ required: ["images"] }, { properties: { rules: { minItems: 1 } } }],
      additionalProperties: false,
      properties: {
        name,
        title: { type: "string", minLength: 1 },
        description: { type: "string" },
        severity: { enum: ["critical", "high", "medium", "low", "info"] },
        category: { type: "string" },
        controls: strings,
        enforcement: { enum: ["deny", "warn", "audit"] },
        match: { $ref: "#/definitions/match" },
        parameters: {
          type: "object",
          required: ["schema", "values"],
          additionalProperties: false,
          properties: { schema: { type: "object" }, values: { type: "object" } },
        },
        rules: { type: "array", items: { $ref: "#/definitions/rule" } },
        images: { $ref: "#/definitions/imageRules" },
        excludeTargets: {
          type: "object",
          propertyNames: { enum: [...TARGET_NAMES] },
          additionalProperties: { type: "string", minLength: 1 },
        },
        cases: { type: "array", items: { $ref: "#/definitions/testCase" } },
        source: { $ref: "#/definitions/source" },
      },
    },
  },
} as const;

export class IrValidationError extends Error {
  constructor(
    readonly where: string,
    readonly errors: readonly ErrorObject[],
  ) {
    super(
      `${where}: not valid Charter IR:\n${errors
        .slice(0, 10)
        .map((e) => `  ${e.instancePath || "/"} ${e.message ?? "is invalid"}`)
        .join("\n")}`,
    );
    this.name = "IrValidationError";
  }
}

let compiled: ReturnType<Ajv["compile"]> | undefined;

/** Checks that `data` (e.g. parsed from an `.ir.json` file) is a valid policy set. */
export function validatePolicySet(data: unknown, where = "IR"): PolicySet {
  compiled ??= newAjv().compile(IR_SCHEMA);
  if (!compiled(data)) throw new IrValidationError(where, compiled.errors ?? []);
  return data as PolicySet;
}
