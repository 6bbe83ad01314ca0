/**
 * Policy exceptions in Rego (semantics: packages/ir/src/exception.ts): the lib's
 * `exception_covers(e, rule)` and the exception data every target ships. Exceptions are data,
 * not code: the Rego target reads them from `data.charter.exceptions` (charter/data.json, so a
 * bundle's exceptions change without recompiling), Gatekeeper from the Constraint's
 * `parameters.exceptions`. The clock is OPA's `time.now_ns()`, so expiry is enforced where the
 * policy runs.
 */
import { expiryInstant, type Json, type PolicyException } from "@charter/ir";

/** An exception as Rego reads it: the IR plus `expiresAt`, its expiry instant in RFC 3339. */
export function exceptionData(exception: PolicyException): Json {
  const { source: _source, ...rest } = exception;
  const expiresAt = new Date(expiryInstant(exception.expires)).toISOString();
  return { ...rest, expiresAt } as unknown as Json;
}

/** The lib rules; `object` is the Rego reference of the object under review. */
export function exceptionLib(object: string): string {
  return `# Policy exceptions: e covers the object for a rule when it lists the rule (or none), the
# clock is before e.expiresAt, and every match field it gives holds.
exception_covers(e, rule) if {
	exception_rule_listed(e, rule)
	time.now_ns() < time.parse_rfc3339_ns(e.expiresAt)
	exception_namespaces_hold(e.match)
	exception_names_hold(e.match)
	exception_kinds_hold(e.match)
	exception_labels_hold(e.match)
	exception_images_hold(e.match)
}

exception_rule_listed(e, _) if not e.rules

exception_rule_listed(e, rule) if rule in e.rules

exception_namespaces_hold(m) if not m.namespaces

exception_namespaces_hold(m) if {
	namespace := ${object}.metadata.namespace
	is_string(namespace)
	namespace in m.namespaces
}

exception_names_hold(m) if not m.names

exception_names_hold(m) if {
	some glob in m.names
	op_glob(identity_name, glob)
}

# The name a report shows: metadata.name, else generateName, else "".
identity_name := name if {
	name := ${object}.metadata.name
	is_string(name)
	name != ""
} else := name if {
	name := ${object}.metadata.generateName
	is_string(name)
	name != ""
} else := ""

exception_kinds_hold(m) if not m.kinds

exception_kinds_hold(m) if {
	some k in m.kinds
	kind_of(${object}) == [k.group, k.kind]
}

exception_labels_hold(m) if not m.labels

exception_labels_hold(m) if {
	every key, value in object.get(m.labels, "matchLabels", {}) {
		at(${object}, ["metadata", "labels", key]) == value
	}
	every requirement in object.get(m.labels, "matchExpressions", []) {
		label_requirement_holds(requirement)
	}
}

label_requirement_holds(r) if {
	r.operator == "In"
	at(${object}, ["metadata", "labels", r.key]) in r.values
}

label_requirement_holds(r) if {
	r.operator == "NotIn"
	not at(${object}, ["metadata", "labels", r.key]) in r.values
}

label_requirement_holds(r) if {
	r.operator == "Exists"
	at(${object}, ["metadata", "labels", r.key]) != null
}

label_requirement_holds(r) if {
	r.operator == "DoesNotExist"
	at(${object}, ["metadata", "labels", r.key]) == null
}

# Every container's image matches a glob: an exempt sidecar never excuses the app beside it.
exception_images_hold(m) if not m.images

exception_images_hold(m) if {
	count(containers) > 0
	every c in containers {
		is_object(c)
		is_string(c.image)
		some glob in m.images
		op_glob(c.image, glob)
	}
}`;
}
