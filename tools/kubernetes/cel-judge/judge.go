package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	celtypes "github.com/google/cel-go/common/types"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/apiserver/pkg/admission"
	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/authentication/user"
	apiservercel "k8s.io/apiserver/pkg/cel"
	"k8s.io/apiserver/pkg/cel/environment"
)

// DefaultCompatibilityVersion is the CEL compatibility version of a Kubernetes 1.32 API server:
// it compiles new (created or changed) expressions with the libraries of its minimum
// compatibility version, which is its own minor version minus one (component-base
// newEffectiveVersion in 1.32), so that a rollback to 1.31 still understands them.
// Charter's floor is 1.32, so Charter's CEL may only use what a 1.31 environment has.
var DefaultCompatibilityVersion = version.MajorMinor(1, 31)

// Declarations like a ValidatingAdmissionPolicy with a paramKind: object, oldObject, params
// (all DynType), request, namespaceObject (typed as the server types them) and variables.
// The authorizer is left out: the judge has no cluster to ask, so using it must not compile.
var declarations = plugincel.OptionalVariableDeclarations{HasParams: true, HasAuthorizer: false}

// The API server compiles expressions that are new to a policy in the NewExpressions
// environment (only libraries of the compatibility version); Charter only emits new policies.
const envType = environment.NewExpressions

type policy struct {
	expressions   []Expression
	validations   plugincel.ConditionEvaluator
	messages      plugincel.ConditionEvaluator
	compileErrors []CompileError
}

// compilePolicy builds the policy exactly as the validating admission plugin does
// (validating.compilePolicy in k8s.io/apiserver): one composited compiler holding the variables, then one
// condition evaluator for the validations and one for their messageExpressions.
func compilePolicy(batch *Batch, compat *version.Version) (*policy, error) {
	compiler, err := plugincel.NewCompositedCompiler(environment.MustBaseEnvSet(compat))
	if err != nil {
		return nil, fmt.Errorf("building the CEL environment: %w", err)
	}
	p := &policy{expressions: batch.Expressions, compileErrors: []CompileError{}}

	seenVariables := map[string]bool{}
	for _, v := range batch.Variables {
		if seenVariables[v.Name] {
			return nil, fmt.Errorf("variable %q is declared twice (the API server rejects that)", v.Name)
		}
		seenVariables[v.Name] = true
		result := compiler.CompileAndStoreVariable(&variable{name: v.Name, expression: v.Expression}, declarations, envType)
		if result.Error != nil {
			p.compileErrors = append(p.compileErrors, CompileError{ID: v.Name, Kind: "variable", Error: result.Error.Error()})
		}
	}

	validations := make([]plugincel.ExpressionAccessor, len(batch.Expressions))
	messages := make([]plugincel.ExpressionAccessor, len(batch.Expressions))
	seenExpressions := map[string]bool{}
	for i, e := range batch.Expressions {
		if seenExpressions[e.ID] {
			return nil, fmt.Errorf("expression id %q is used twice", e.ID)
		}
		seenExpressions[e.ID] = true
		validation := &validationCondition{expression: e.Expression}
		validations[i] = validation
		if result := compiler.CompileCELExpression(validation, declarations, envType); result.Error != nil {
			p.compileErrors = append(p.compileErrors, CompileError{ID: e.ID, Kind: "expression", Error: result.Error.Error()})
		}
		if e.MessageExpression != "" {
			message := &messageExpressionCondition{messageExpression: e.MessageExpression}
			messages[i] = message
			if result := compiler.CompileCELExpression(message, declarations, envType); result.Error != nil {
				p.compileErrors = append(p.compileErrors, CompileError{ID: e.ID, Kind: "messageExpression", Error: result.Error.Error()})
			}
		}
	}
	p.validations = compiler.CompileCondition(validations, declarations, envType)
	p.messages = compiler.CompileCondition(messages, declarations, envType)
	return p, nil
}

// Judge compiles the batch's policy once and evaluates it on every case.
// It returns an error only for a malformed batch; CEL errors are part of the output.
func Judge(batch *Batch, compat *version.Version) (*Output, error) {
	p, err := compilePolicy(batch, compat)
	if err != nil {
		return nil, err
	}
	out := &Output{
		Environment:   Environment{Kubernetes: kubernetesVersion(), CompatibilityVersion: compat.String()},
		CompileErrors: p.compileErrors,
		Results:       make([]Result, 0, len(batch.Cases)*len(batch.Expressions)),
	}
	for _, c := range batch.Cases {
		results, err := p.evaluate(&c)
		if err != nil {
			return nil, fmt.Errorf("case %q: %w", c.ID, err)
		}
		out.Results = append(out.Results, results...)
	}
	return out, nil
}

// evaluate mirrors validating.validator.Validate, keeping the raw boolean next to the decision.
func (p *policy) evaluate(c *Case) ([]Result, error) {
	in, err := decodeCase(c)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	bindings := plugincel.OptionalVariableBindings{VersionedParams: in.params}
	results := make([]Result, len(p.expressions))
	for i, e := range p.expressions {
		results[i] = Result{Case: c.ID, Expression: e.ID}
	}

	evals, remainingBudget, err := p.validations.ForInput(ctx, in.attributes, in.request, bindings, in.namespace, celconfig.RuntimeCELCostBudget)
	if err != nil {
		// The server fails the whole policy (every validation) when the budget runs out.
		for i := range results {
			results[i].Error = err.Error()
		}
		return results, nil
	}
	messageEvals, _, messageErr := p.messages.ForInput(ctx, in.attributes, in.request, bindings, in.namespace, remainingBudget)

	for i, eval := range evals {
		r := &results[i]
		switch {
		case eval.Error != nil:
			r.Error = eval.Error.Error()
		case errors.Is(messageErr, apiservercel.ErrInternal) || errors.Is(messageErr, apiservercel.ErrOutOfBudget):
			r.Error = fmt.Sprintf("failed messageExpression: %s", messageErr)
		default:
			value := eval.EvalResult == celtypes.True
			r.Value = &value
			if !value {
				var messageEval *plugincel.EvaluationResult
				if i < len(messageEvals) {
					messageEval = &messageEvals[i]
				}
				r.Message, r.MessageError = denialMessage(p.expressions[i], messageEval)
			}
		}
	}
	return results, nil
}

// denialMessage is the message the server puts on a denial (validator.Validate).
func denialMessage(e Expression, eval *plugincel.EvaluationResult) (message, messageError string) {
	if eval != nil && eval.Error != nil {
		messageError = eval.Error.Error()
	}
	if eval != nil && eval.Error == nil && eval.EvalResult != nil {
		if s, ok := eval.EvalResult.Value().(string); ok {
			message = strings.TrimSpace(s)
			if len(message) > celconfig.MaxEvaluatedMessageExpressionSizeBytes {
				message, messageError = "", "messageExpression result is longer than the server allows"
			}
			if strings.ContainsAny(message, "\n") {
				message, messageError = "", "messageExpression result has a line break, which the server refuses"
			}
		}
	}
	if message == "" && len(e.Message) > 0 {
		message = strings.TrimSpace(e.Message)
	}
	if message == "" {
		message = fmt.Sprintf("failed expression: %v", strings.TrimSpace(e.Expression))
	}
	return message, messageError
}

type caseInput struct {
	attributes *admission.VersionedAttributes
	request    *admissionv1.AdmissionRequest
	params     runtime.Object
	namespace  *corev1.Namespace
}

func decodeCase(c *Case) (*caseInput, error) {
	object, err := decodeObject("object", c.Object)
	if err != nil {
		return nil, err
	}
	oldObject, err := decodeObject("oldObject", c.OldObject)
	if err != nil {
		return nil, err
	}
	params, err := decodeObject("params", c.Params)
	if err != nil {
		return nil, err
	}
	namespace, err := decodeNamespace(c.NamespaceObject)
	if err != nil {
		return nil, err
	}

	operation := admission.Operation(c.Operation)
	if operation == "" {
		operation = admission.Create
	}
	subject := object
	if subject == nil {
		subject = oldObject
	}
	var gvk schema.GroupVersionKind
	var name, ns string
	if subject != nil {
		gvk = subject.GroupVersionKind()
		name, ns = subject.GetName(), subject.GetNamespace()
	}
	// The resource is not known from the object alone; the judge's policies read request.kind.
	gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: strings.ToLower(gvk.Kind) + "s"}
	record := admission.NewAttributesRecord(asObject(object), asObject(oldObject), gvk, ns, name, gvr, c.SubResource, operation, nil, false, userOf(c.UserInfo))
	attributes := &admission.VersionedAttributes{
		Attributes:         record,
		VersionedKind:      gvk,
		VersionedObject:    asObject(object),
		VersionedOldObject: asObject(oldObject),
	}
	return &caseInput{
		attributes: attributes,
		request:    plugincel.CreateAdmissionRequest(record, metaGVR(gvr), metaGVK(gvk)),
		params:     asObject(params),
		namespace:  plugincel.CreateNamespaceObject(namespace),
	}, nil
}

// asObject keeps an absent object a nil interface: the server binds it as CEL null.
func asObject(u *unstructured.Unstructured) runtime.Object {
	if u == nil {
		return nil
	}
	return u
}

// userOf is the requesting user the API server would put in request.userInfo; none is the
// empty user (what the judge bound before cases could name one).
func userOf(u *UserInfo) user.Info {
	if u == nil {
		return &user.DefaultInfo{}
	}
	return &user.DefaultInfo{Name: u.Username, UID: u.UID, Groups: u.Groups, Extra: u.Extra}
}
