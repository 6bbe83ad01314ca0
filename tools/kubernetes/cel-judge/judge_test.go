package main

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/version"
)

// pod is the object most cases evaluate on; spec.nothing is an explicit JSON null.
const pod = `{
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "Web"}},
  "spec": {
    "replicas": 3, "ratio": 1.5, "wholeDouble": 2.0, "big": 9007199254740993,
    "nothing": null, "empty": {}, "numbers": [3, 1, 2], "sorted": [1, 2, 3],
    "greeting": "Hello World", "endpoint": "https://example.com:8443/path?q=1",
    "memory": "1Gi", "names": ["a", "b"]
  }
}`

func judge(t *testing.T, batch Batch, compat *version.Version) *Output {
	t.Helper()
	// Round-trip through JSON, as the binary reads it.
	raw, err := json.Marshal(batch)
	if err != nil {
		t.Fatal(err)
	}
	var decoded Batch
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatal(err)
	}
	out, err := Judge(&decoded, compat)
	if err != nil {
		t.Fatalf("Judge: %v", err)
	}
	return out
}

// evaluate runs one expression on one object and fails the test on a compile error.
func evaluate(t *testing.T, expression, object string) Result {
	t.Helper()
	out := judge(t, Batch{
		Expressions: []Expression{{ID: "e", Expression: expression}},
		Cases:       []Case{{ID: "c", Object: json.RawMessage(object)}},
	}, DefaultCompatibilityVersion)
	if len(out.CompileErrors) > 0 {
		t.Fatalf("%s: unexpected compile error: %s", expression, out.CompileErrors[0].Error)
	}
	return out.Results[0]
}

// compileError returns the compile error of one expression, "" when it compiles.
func compileError(t *testing.T, expression string, compat *version.Version) string {
	t.Helper()
	out := judge(t, Batch{Expressions: []Expression{{ID: "e", Expression: expression}}}, compat)
	if len(out.CompileErrors) == 0 {
		return ""
	}
	return out.CompileErrors[0].Error
}

func expectValue(t *testing.T, expression string, want bool) {
	t.Helper()
	r := evaluate(t, expression, pod)
	if r.Error != "" {
		t.Errorf("%s: error %q, want %v", expression, r.Error, want)
		return
	}
	if r.Value == nil || *r.Value != want {
		t.Errorf("%s: value %v, want %v", expression, r.Value, want)
	}
}

func expectEvalError(t *testing.T, expression, wantError string) {
	t.Helper()
	r := evaluate(t, expression, pod)
	if r.Value != nil || !strings.Contains(r.Error, wantError) {
		t.Errorf("%s: value %v error %q, want an error containing %q", expression, r.Value, r.Error, wantError)
	}
}

func expectCompileError(t *testing.T, expression, wantError string) {
	t.Helper()
	if got := compileError(t, expression, DefaultCompatibilityVersion); !strings.Contains(got, wantError) {
		t.Errorf("%s: compile error %q, want one containing %q", expression, got, wantError)
	}
}

func TestPresenceAndNull(t *testing.T) {
	expectValue(t, "has(object.spec.replicas)", true)
	expectValue(t, "has(object.spec.missing)", false)
	// A field whose JSON value is null is present.
	expectValue(t, "has(object.spec.nothing)", true)
	expectValue(t, "object.spec.nothing == null", true)
	// Selecting below null is not an error inside has(): it is false.
	expectValue(t, "has(object.spec.nothing.deeper)", false)
	expectValue(t, "'nothing' in object.spec", true)
	// Reading a missing field is an error, not null.
	expectEvalError(t, "object.spec.missing == null", "no such key: missing")
	expectEvalError(t, "object.spec.missing.deeper == 1", "no such key: missing")
	expectEvalError(t, "object.metadata.labels['team'] == 'x'", "no such key: team")
	// Ordering null against a number has no overload.
	expectEvalError(t, "object.spec.nothing > 1", "no such overload")
	expectValue(t, "object.spec.nothing != 1", true)
}

func TestOptionalSyntax(t *testing.T) {
	expectValue(t, "object.spec.?missing.orValue(5) == 5", true)
	expectValue(t, "object.?spec.?replicas.orValue(0) == 3", true)
	expectValue(t, "object.metadata.labels.?team.orValue('none') == 'none'", true)
	expectValue(t, "object.metadata.?labels[?'app'].orValue('') == 'Web'", true)
	// ?. on a present null yields optional.of(null): orValue does NOT replace it.
	expectValue(t, "object.spec.?nothing.orValue(7) == 7", false)
	expectValue(t, "object.spec.?nothing.orValue(7) == null", true)
	expectValue(t, "object.spec.?nothing.hasValue()", true)
}

func TestMacros(t *testing.T) {
	expectValue(t, "object.spec.numbers.all(n, n > 0)", true)
	expectValue(t, "object.spec.numbers.exists(n, n > 2)", true)
	expectValue(t, "object.spec.numbers.exists_one(n, n > 1)", false)
	expectValue(t, "object.spec.numbers.filter(n, n > 1).size() == 2", true)
	expectValue(t, "object.spec.numbers.map(n, n * 2) == [6, 2, 4]", true)
	expectValue(t, "object.metadata.labels.all(k, k == 'app')", true)
	expectValue(t, "[].all(n, false)", true)
	expectValue(t, "![].exists(n, true)", true)
	// all() over a missing list is an error, not vacuously true.
	expectEvalError(t, "object.spec.missing.all(n, n > 0)", "no such key")
	// all() absorbs an error when another element decides the result (commutative &&).
	expectValue(t, "[0, 1].all(n, 1 / n > 5)", false)
}

func TestRegex(t *testing.T) {
	expectValue(t, "object.spec.greeting.matches('^H.*d$')", true)
	expectValue(t, "object.spec.greeting.matches('World')", true) // unanchored search
	expectValue(t, "object.spec.greeting.matches('(?i)^hello')", true)
	expectValue(t, "object.spec.greeting.matches('\\\\p{Lu}')", true)
	// RE2 has no backreferences or lookaround; a literal bad pattern is a compile error.
	expectCompileError(t, "'aa'.matches('(a)\\\\1')", "invalid")
	expectCompileError(t, "'a'.matches('(?=a)')", "invalid")
}

func TestStringOrderIsByCodePoint(t *testing.T) {
	expectValue(t, "'Z' < 'a'", true)
	expectValue(t, "'a' < 'b'", true)
	expectValue(t, "'abc' < 'abd'", true)
	expectValue(t, "'ab' < 'abc'", true)
	// U+FFFF sorts before U+1F600 by code point; UTF-16 code units would say the opposite.
	expectValue(t, "'\\uffff' < '\\U0001F600'", true)
	expectValue(t, "size('\\U0001F600') == 1", true) // size counts code points
}

func TestNumbers(t *testing.T) {
	// Statically typed int == double has no overload: a compile error.
	expectCompileError(t, "1 == 1.0", "found no matching overload for '_==_' applied to '(int, double)'")
	expectCompileError(t, "1 + 1.0 == 2.0", "found no matching overload")
	// Through dyn (every object field is dyn) equality and ordering are numeric across types.
	expectValue(t, "object.spec.replicas == 3.0", true)
	expectValue(t, "object.spec.replicas < 3.5", true)
	expectValue(t, "object.spec.ratio > 1", true)
	expectValue(t, "dyn(1) == dyn(1.0)", true)
	expectValue(t, "object.spec.replicas == 3u", true)
	// ... but arithmetic across int and double is a runtime error.
	expectEvalError(t, "object.spec.replicas + object.spec.ratio > 0", "no such overload")
	expectEvalError(t, "object.spec.replicas / 0 == 0", "division by zero")
	// JSON numbers decode like the API server: integral → int, else double; 2.0 stays double.
	expectValue(t, "type(object.spec.replicas) == int", true)
	expectValue(t, "type(object.spec.wholeDouble) == double", true)
	expectValue(t, "object.spec.wholeDouble == 2", true)
	expectValue(t, "object.spec.big == 9007199254740993", true) // past 2^53, exact
	expectValue(t, "object.spec.big != 9007199254740992", true)
	expectEvalError(t, "9223372036854775807 + object.spec.replicas > 0", "overflow")
}

func TestKubernetesLibraries(t *testing.T) {
	// strings extension (version 2)
	expectValue(t, "object.spec.greeting.lowerAscii() == 'hello world'", true)
	expectValue(t, "object.spec.greeting.upperAscii() == 'HELLO WORLD'", true)
	expectValue(t, "object.spec.greeting.split(' ') == ['Hello', 'World']", true)
	expectValue(t, "object.spec.names.join('-') == 'a-b'", true)
	expectValue(t, "object.spec.greeting.indexOf('World') == 6", true)
	expectValue(t, "object.spec.greeting.lastIndexOf('o') == 7", true)
	expectValue(t, "object.spec.greeting.replace('o', '0') == 'Hell0 W0rld'", true)
	expectValue(t, "object.spec.greeting.substring(6) == 'World'", true)
	expectValue(t, "' x '.trim() == 'x'", true)
	expectValue(t, "strings.quote('a') == '\"a\"'", true)
	// Kubernetes list library
	expectValue(t, "object.spec.numbers.isSorted()", false)
	expectValue(t, "object.spec.sorted.isSorted()", true)
	expectValue(t, "object.spec.numbers.indexOf(1) == 1", true)
	expectValue(t, "object.spec.numbers.sum() == 6 && object.spec.numbers.min() == 1 && object.spec.numbers.max() == 3", true)
	// url
	expectValue(t, "url(object.spec.endpoint).getHost() == 'example.com:8443'", true)
	expectValue(t, "url(object.spec.endpoint).getHostname() == 'example.com'", true)
	expectValue(t, "url(object.spec.endpoint).getPort() == '8443'", true)
	expectValue(t, "isURL('not a url')", false)
	// quantity
	expectValue(t, "quantity(object.spec.memory).isGreaterThan(quantity('1G'))", true)
	expectValue(t, "quantity('500m').asApproximateFloat() == 0.5", true)
	expectValue(t, "isQuantity('1.5Gi') && !isQuantity('1.5 Gi')", true)
	// ip / cidr
	expectValue(t, "ip('10.0.0.1').family() == 4", true)
	expectValue(t, "cidr('10.0.0.0/8').containsIP(ip('10.1.2.3'))", true)
	expectValue(t, "isIP('::1') && !isCIDR('10.0.0.0')", true)
	// sets, format
	expectValue(t, "sets.contains(object.spec.numbers, [1, 2])", true)
	expectValue(t, "'%s-%d'.format(['a', 1]) == 'a-1'", true)
	// Homogeneous literals: a mixed list literal does not compile.
	expectCompileError(t, "[1, 'a'] == [1, 'a']", "expected type 'int' but found 'string'")
}

func TestCompatibilityVersionGatesLibraries(t *testing.T) {
	onlyIn := []struct {
		expression string
		since      *version.Version
	}{
		{"[1].all(i, v, v > 0)", version.MajorMinor(1, 32)},     // two-variable comprehensions
		{"isSemver('1.2.3')", version.MajorMinor(1, 33)},        // semver
		{"[2, 1].sort() == [1, 2]", version.MajorMinor(1, 34)},  // lists extension v3
		{"lists.range(2) == [0, 1]", version.MajorMinor(1, 34)}, // lists extension v3
	}
	for _, c := range onlyIn {
		if got := compileError(t, c.expression, DefaultCompatibilityVersion); !strings.Contains(got, "undeclared reference") {
			t.Errorf("%s compiles at %s, want undeclared reference; got %q", c.expression, DefaultCompatibilityVersion, got)
		}
		if got := compileError(t, c.expression, c.since); got != "" {
			t.Errorf("%s does not compile at %s: %s", c.expression, c.since, got)
		}
	}
	expectCompileError(t, "authorizer.group('').resource('pods').check('get').allowed()", "undeclared reference to 'authorizer'")
}

func TestReturnTypeMustBeBool(t *testing.T) {
	expectCompileError(t, "object.spec.replicas", "must evaluate to bool")
	expectCompileError(t, "'text'", "must evaluate to bool")
	expectCompileError(t, "object.spec.(", "Syntax error")
}

func TestVariablesAreCompositedAndLazy(t *testing.T) {
	out := judge(t, Batch{
		Variables: []Variable{
			{Name: "replicas", Expression: "object.spec.replicas"},
			{Name: "double", Expression: "variables.replicas * 2"},
			{Name: "broken", Expression: "object.spec.missing"},
			{Name: "typo", Expression: "object.spec.("},
		},
		Expressions: []Expression{
			{ID: "uses", Expression: "variables.double == 6"},
			{ID: "lazy", Expression: "true || variables.broken == 1"},
			{ID: "reads-broken", Expression: "variables.broken == 1"},
			{ID: "reads-typo", Expression: "variables.typo == 1"},
		},
		Cases: []Case{{ID: "pod", Object: json.RawMessage(pod)}},
	}, DefaultCompatibilityVersion)
	if len(out.CompileErrors) != 1 || out.CompileErrors[0].ID != "typo" || out.CompileErrors[0].Kind != "variable" {
		t.Fatalf("compile errors %+v, want only the variable typo", out.CompileErrors)
	}
	byID := map[string]Result{}
	for _, r := range out.Results {
		byID[r.Expression] = r
	}
	if r := byID["uses"]; r.Value == nil || !*r.Value {
		t.Errorf("uses: %+v", r)
	}
	if r := byID["lazy"]; r.Value == nil || !*r.Value {
		t.Errorf("lazy: an unused failing variable must not fail the expression: %+v", r)
	}
	if r := byID["reads-broken"]; !strings.Contains(r.Error, `composited variable "broken" fails to evaluate`) {
		t.Errorf("reads-broken: %+v", r)
	}
	if r := byID["reads-typo"]; !strings.Contains(r.Error, `composited variable "typo" fails to compile`) {
		t.Errorf("reads-typo: %+v", r)
	}
}

func TestMessages(t *testing.T) {
	out := judge(t, Batch{
		Expressions: []Expression{
			{ID: "dynamic", Expression: "object.spec.replicas < 2", MessageExpression: "'  replicas is ' + string(object.spec.replicas) + ' '"},
			{ID: "fallback", Expression: "false", MessageExpression: "string(object.spec.missing)", Message: "static"},
			{ID: "default", Expression: "1 > 2"},
			{ID: "passes", Expression: "true", MessageExpression: "'unused'"},
		},
		Cases: []Case{{ID: "pod", Object: json.RawMessage(pod)}},
	}, DefaultCompatibilityVersion)
	if len(out.CompileErrors) != 0 {
		t.Fatalf("compile errors %+v", out.CompileErrors)
	}
	want := map[string]string{"dynamic": "replicas is 3", "fallback": "static", "default": "failed expression: 1 > 2", "passes": ""}
	for _, r := range out.Results {
		if r.Message != want[r.Expression] {
			t.Errorf("%s: message %q, want %q", r.Expression, r.Message, want[r.Expression])
		}
	}
	if r := out.Results[1]; !strings.Contains(r.MessageError, "no such key") {
		t.Errorf("fallback: messageError %q", r.MessageError)
	}
	out = judge(t, Batch{Expressions: []Expression{{ID: "e", Expression: "true", MessageExpression: "1"}}}, DefaultCompatibilityVersion)
	if len(out.CompileErrors) != 1 || out.CompileErrors[0].Kind != "messageExpression" || !strings.Contains(out.CompileErrors[0].Error, "must evaluate to string") {
		t.Errorf("messageExpression returning int: %+v", out.CompileErrors)
	}
	// A messageExpression must be statically a string: a dyn field needs string(...).
	out = judge(t, Batch{Expressions: []Expression{{ID: "e", Expression: "true", MessageExpression: "object.metadata.name"}}}, DefaultCompatibilityVersion)
	if len(out.CompileErrors) != 1 || !strings.Contains(out.CompileErrors[0].Error, "must evaluate to string but got dyn") {
		t.Errorf("messageExpression of type dyn: %+v", out.CompileErrors)
	}
}

func TestBindings(t *testing.T) {
	namespace := `{"metadata": {"name": "shop", "labels": {"env": "prod"}}}`
	out := judge(t, Batch{
		Expressions: []Expression{
			{ID: "params", Expression: "params.max == 5"},
			{ID: "namespace", Expression: "namespaceObject.metadata.labels.env == 'prod'"},
			{ID: "request", Expression: "request.operation == 'CREATE' && request.kind.kind == 'Pod' && request.namespace == 'shop' && request.name == 'web'"},
			{ID: "old", Expression: "oldObject == null"},
		},
		Cases: []Case{
			{ID: "bound", Object: json.RawMessage(pod), Params: json.RawMessage(`{"max": 5}`), NamespaceObject: json.RawMessage(namespace)},
			{ID: "unbound", Object: json.RawMessage(pod), Params: json.RawMessage(`null`)},
		},
	}, DefaultCompatibilityVersion)
	for _, r := range out.Results {
		if r.Case == "bound" && (r.Value == nil || !*r.Value) {
			t.Errorf("bound %s: %+v", r.Expression, r)
		}
	}
	unbound := out.Results[4:]
	if unbound[0].Value != nil || !strings.Contains(unbound[0].Error, "no such key") && !strings.Contains(unbound[0].Error, "null") {
		t.Errorf("params.max on null params: %+v", unbound[0])
	}
	// namespaceObject is typed: an unknown field does not compile.
	expectCompileError(t, "namespaceObject.metadata.color == 'x'", "undefined field 'color'")
}

func TestCostLimits(t *testing.T) {
	numbers := make([]int, 1000)
	list, _ := json.Marshal(numbers)
	object := `{"apiVersion": "v1", "kind": "Pod", "spec": {"list": ` + string(list) + `}}`
	// 1000 × 1000 iterations pass the per-expression limit (1,000,000).
	const nested = "object.spec.list.all(a, object.spec.list.all(b, a == b))"
	r := evaluate(t, nested, object)
	if r.Value != nil || !strings.Contains(r.Error, "cost limit exceeded") {
		t.Errorf("per-call limit: %+v", r)
	}
	// Twenty expressions each under the per-call limit (400 × 400 iterations) exhaust the
	// per-request budget (10,000,000), which fails every validation of the policy.
	var expressions []Expression
	for i := range 20 {
		expressions = append(expressions, Expression{ID: strings.Repeat("x", i+1), Expression: nested})
	}
	smallList, _ := json.Marshal(numbers[:400])
	small := `{"spec": {"list": ` + string(smallList) + `}}`
	if r := evaluate(t, nested, small); r.Value == nil || !*r.Value {
		t.Fatalf("one expression on 400 items must stay under the per-call limit: %+v", r)
	}
	out := judge(t, Batch{Expressions: expressions, Cases: []Case{{ID: "c", Object: json.RawMessage(small)}}}, DefaultCompatibilityVersion)
	for _, r := range out.Results {
		if r.Value != nil || !strings.Contains(r.Error, "running out of cost budget") {
			t.Fatalf("per-request budget: %+v", r)
		}
	}
}

func TestMalformedCase(t *testing.T) {
	_, err := Judge(&Batch{
		Expressions: []Expression{{ID: "e", Expression: "true"}},
		Cases:       []Case{{ID: "c", Object: json.RawMessage(`[1]`)}},
	}, DefaultCompatibilityVersion)
	if err == nil || !strings.Contains(err.Error(), `case "c": object must be a JSON object`) {
		t.Errorf("error %v", err)
	}
}
