package main

import "encoding/json"

// Batch is the one JSON document the judge reads from stdin: one policy (its validations and
// variables, like a ValidatingAdmissionPolicy spec) and the cases to evaluate it on.
type Batch struct {
	Expressions []Expression `json:"expressions"`
	Variables   []Variable   `json:"variables,omitempty"`
	Cases       []Case       `json:"cases"`
}

// Expression is one VAP spec.validations entry.
type Expression struct {
	ID                string `json:"id"`
	Expression        string `json:"expression"`
	MessageExpression string `json:"messageExpression,omitempty"`
	// Message is the static spec.validations[].message, the server's fallback when the
	// messageExpression fails or is absent.
	Message string `json:"message,omitempty"`
}

// Variable is one VAP spec.variables entry, readable as variables.<name>.
type Variable struct {
	Name       string `json:"name"`
	Expression string `json:"expression"`
}

// Case is one admission request. Objects stay raw here: they are decoded like the API server
// decodes a request body (integers as int64, other numbers as float64), not by encoding/json.
type Case struct {
	ID              string          `json:"id"`
	Object          json.RawMessage `json:"object,omitempty"`
	OldObject       json.RawMessage `json:"oldObject,omitempty"`
	Params          json.RawMessage `json:"params,omitempty"`
	NamespaceObject json.RawMessage `json:"namespaceObject,omitempty"`
	// Operation is request.operation; CREATE when absent.
	Operation string `json:"operation,omitempty"`
	// SubResource is request.subResource, e.g. "ephemeralcontainers" for a Pod changed through
	// pods/ephemeralcontainers (object is then the whole Pod as it will be).
	SubResource string `json:"subResource,omitempty"`
	// UserInfo is request.userInfo, the requesting user; an empty user when absent.
	UserInfo *UserInfo `json:"userInfo,omitempty"`
}

// UserInfo is an authentication.k8s.io/v1 UserInfo as an AdmissionRequest carries it.
type UserInfo struct {
	Username string              `json:"username,omitempty"`
	UID      string              `json:"uid,omitempty"`
	Groups   []string            `json:"groups,omitempty"`
	Extra    map[string][]string `json:"extra,omitempty"`
}

// Output is the one JSON document the judge writes to stdout.
type Output struct {
	// Environment says which Kubernetes CEL environment judged the batch.
	Environment   Environment    `json:"environment"`
	CompileErrors []CompileError `json:"compileErrors"`
	Results       []Result       `json:"results"`
}

// Environment names the Kubernetes libraries the judge was built from and the compatibility
// version whose CEL libraries new expressions may use.
type Environment struct {
	Kubernetes           string `json:"kubernetes"`
	CompatibilityVersion string `json:"compatibilityVersion"`
}

// CompileError is an expression the API server would reject when the policy is created.
type CompileError struct {
	ID string `json:"id"`
	// Kind is "expression", "messageExpression" or "variable" (then ID is the variable name).
	Kind  string `json:"kind"`
	Error string `json:"error"`
}

// Result is one (case, expression) verdict, in the order cases × expressions.
type Result struct {
	Case       string `json:"case"`
	Expression string `json:"expression"`
	// Value is what the validation evaluated to; nil when it failed with an error.
	Value *bool  `json:"value"`
	Error string `json:"error,omitempty"`
	// Message is the server's denial message when Value is false: the trimmed
	// messageExpression result, else the static message, else "failed expression: …".
	Message string `json:"message,omitempty"`
	// MessageError is why the messageExpression failed (the server then falls back).
	MessageError string `json:"messageError,omitempty"`
}
