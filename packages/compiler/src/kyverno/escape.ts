/**
 * ClusterPolicy rules are JMESPath templates to Kyverno: it substitutes (and, when the policy is
 * admitted, checks) every `{{ … }}` anywhere in a rule, CEL text included
 * (`variables.SubstituteAllInRule`, regex `(^|[^\\])(\{\{…\}\})`). Charter's CEL has `{{` only
 * inside string literals (a message, a parameter value), so the second brace is written as the
 * CEL escape `\x7B` there: CEL reads the same string, and Kyverno sees no `{{`.
 *
 * The only way CEL text reaches a ClusterPolicy. ValidatingPolicy has no JMESPath, so it needs
 * none of this.
 */
export function escapeKyvernoCel(cel: string): string {
  return cel.replaceAll("{{", "{\\x7B");
}

/**
 * A static message is not CEL and has no escape Kyverno would undo in CEL rules; it is only
 * the fallback of `messageExpression`, so one holding `{{` is left out.
 */
export function kyvernoStaticMessage(message: string): string | undefined {
  return message.includes("{{") ? undefined : message;
}
