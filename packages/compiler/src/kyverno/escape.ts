/**
 * ClusterPolicy rules are templates to Kyverno: before a rule runs (and when the policy is
 * admitted or loaded by `kyverno apply`) it substitutes every JMESPath variable `{{ … }}` and
 * every reference `$( … )` anywhere in the rule, CEL text included
 * (`variables.SubstituteAllInRule`; pkg/engine/variables/regex/vars.go: `(^|[^\\])(\{\{…\}\})`
 * and `^\$\(.[^\ ]*\)|[^\\]\$\(.[^\ ]*\)`). A reference that does not resolve refuses the
 * policy ("policy contains invalid variables"). Charter's CEL has `{{` and `$(` only inside
 * string literals (a message, a parameter value), so one character of each is written as a CEL
 * escape there — `{\x7B` and `\x24(` — which CEL reads as the same string and Kyverno does not
 * see as a variable or a reference. (Kyverno's own `\$(` escape would reach CEL as `\$`, an
 * invalid CEL escape.)
 *
 * The only way CEL text reaches a ClusterPolicy. ValidatingPolicy has no JMESPath, so it needs
 * none of this.
 */
export function escapeKyvernoCel(cel: string): string {
  return cel.replaceAll("{{", "{\\x7B").replaceAll("$(", "\\x24(");
}

/**
 * A static message is not CEL and has no escape Kyverno would undo in every case; it is only
 * the fallback of `messageExpression`, so one holding `{{` or `$(` is left out.
 */
export function kyvernoStaticMessage(message: string): string | undefined {
  return message.includes("{{") || message.includes("$(") ? undefined : message;
}

/**
 * Text that reaches a ClusterPolicy rule outside CEL (an image reference, a public key, an
 * identity): Kyverno would substitute `{{ … }}` and `$( … )` in it, and it has no escape
 * Kyverno undoes there, so such text is refused (`refuse()` gives the compile error).
 */
export function kyvernoPlainText(text: string, refuse: () => Error): string {
  if (text.includes("{{") || text.includes("$(")) throw refuse();
  return text;
}
