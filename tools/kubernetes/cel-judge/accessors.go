package main

import (
	celgo "github.com/google/cel-go/cel"

	plugincel "k8s.io/apiserver/pkg/admission/plugin/cel"
)

// The expression accessors of k8s.io/apiserver/pkg/admission/plugin/policy/validating
// (interface.go, message.go), copied rather than imported: that package pulls in client-go,
// informers and metrics, which would double the judge's cold build. Only their return types
// matter to the compiler, and they are the same as the server's.

// validationCondition is validating.ValidationCondition: spec.validations[].expression.
type validationCondition struct{ expression string }

func (v *validationCondition) GetExpression() string { return v.expression }
func (v *validationCondition) ReturnTypes() []*celgo.Type {
	return []*celgo.Type{celgo.BoolType}
}

// messageExpressionCondition is validating.MessageExpressionCondition.
type messageExpressionCondition struct{ messageExpression string }

func (m *messageExpressionCondition) GetExpression() string { return m.messageExpression }
func (m *messageExpressionCondition) ReturnTypes() []*celgo.Type {
	return []*celgo.Type{celgo.StringType}
}

// variable is validating.Variable: spec.variables[].
type variable struct{ name, expression string }

func (v *variable) GetExpression() string { return v.expression }
func (v *variable) ReturnTypes() []*celgo.Type {
	return []*celgo.Type{celgo.AnyType, celgo.DynType}
}
func (v *variable) GetName() string { return v.name }

var (
	_ plugincel.ExpressionAccessor      = (*validationCondition)(nil)
	_ plugincel.ExpressionAccessor      = (*messageExpressionCondition)(nil)
	_ plugincel.NamedExpressionAccessor = (*variable)(nil)
)
