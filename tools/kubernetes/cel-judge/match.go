package main

import (
	"context"
	"encoding/json"
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/client-go/kubernetes"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// MatchBatch is the stdin document of `cel-judge -match`: the matchConstraints of some
// policies, the admission requests to match them against, and the Namespaces that exist
// (what a namespaceSelector reads).
type MatchBatch struct {
	Policies   []MatchPolicy     `json:"policies"`
	Requests   []MatchRequest    `json:"requests"`
	Namespaces []json.RawMessage `json:"namespaces,omitempty"`
}

// MatchPolicy is one ValidatingAdmissionPolicy's (or Kyverno ValidatingPolicy's) spec.matchConstraints.
type MatchPolicy struct {
	ID               string                                  `json:"id"`
	MatchConstraints *admissionregistrationv1.MatchResources `json:"matchConstraints"`
}

// MatchRequest is the admission.Attributes of one request, as the API server builds it. Kind
// and resource are read as {group, version, kind} and {group, version, resource} (encoding/json
// matches the untagged field names regardless of case).
type MatchRequest struct {
	ID          string                      `json:"id"`
	Kind        schema.GroupVersionKind     `json:"kind"`
	Resource    schema.GroupVersionResource `json:"resource"`
	SubResource string                      `json:"subResource,omitempty"`
	Operation   string                      `json:"operation"`
	Namespace   string                      `json:"namespace,omitempty"`
	Name        string                      `json:"name,omitempty"`
	Object      json.RawMessage             `json:"object,omitempty"`
	OldObject   json.RawMessage             `json:"oldObject,omitempty"`
}

// MatchOutput is the stdout document: one result per (policy, request), policies outer.
type MatchOutput struct {
	// Kubernetes is the k8s.io/apiserver version whose matcher decided.
	Kubernetes string        `json:"kubernetes"`
	Results    []MatchResult `json:"results"`
}

// MatchResult says whether the API server would run the policy for the request.
type MatchResult struct {
	Policy  string `json:"policy"`
	Request string `json:"request"`
	Matches bool   `json:"matches"`
	// Error is the matcher's error (the server then applies the policy's failurePolicy).
	Error string `json:"error,omitempty"`
}

// defaultMatchResources applies the API server's defaults to a policy's matchConstraints
// (SetDefaults_MatchResources and SetDefaults_Rule in k8s.io/kubernetes
// pkg/apis/admissionregistration/v1/defaults.go): matchPolicy Equivalent, empty selectors,
// and scope "*" on every rule. The matcher refuses nil selectors, as the stored object has none.
func defaultMatchResources(m *admissionregistrationv1.MatchResources) {
	if m.MatchPolicy == nil {
		policy := admissionregistrationv1.Equivalent
		m.MatchPolicy = &policy
	}
	if m.NamespaceSelector == nil {
		m.NamespaceSelector = &metav1.LabelSelector{}
	}
	if m.ObjectSelector == nil {
		m.ObjectSelector = &metav1.LabelSelector{}
	}
	for _, rules := range [][]admissionregistrationv1.NamedRuleWithOperations{m.ResourceRules, m.ExcludeResourceRules} {
		for i := range rules {
			if rules[i].Scope == nil {
				scope := admissionregistrationv1.AllScopes
				rules[i].Scope = &scope
			}
		}
	}
}

// namespaceClient answers the matcher's fall-back read of a Namespace missing from its lister
// as the API server's storage would: the namespace does not exist.
type namespaceClient struct{ kubernetes.Interface }

func (namespaceClient) CoreV1() corev1client.CoreV1Interface { return coreV1{} }

type coreV1 struct{ corev1client.CoreV1Interface }

func (coreV1) Namespaces() corev1client.NamespaceInterface { return namespaces{} }

type namespaces struct {
	corev1client.NamespaceInterface
}

func (namespaces) Get(_ context.Context, name string, _ metav1.GetOptions) (*corev1.Namespace, error) {
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, name)
}

// JudgeMatch runs the validating admission policy plugin's own matcher
// (generic.NewPolicyMatcher over matching.Matcher, k8s.io/apiserver) on every (policy, request).
func JudgeMatch(batch *MatchBatch) (*MatchOutput, error) {
	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	for i, raw := range batch.Namespaces {
		object, err := decodeObject(fmt.Sprintf("namespaces[%d]", i), raw)
		if err != nil {
			return nil, err
		}
		namespace := &corev1.Namespace{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(object.Object, namespace); err != nil {
			return nil, fmt.Errorf("namespaces[%d] is not a Namespace: %w", i, err)
		}
		if err := indexer.Add(namespace); err != nil {
			return nil, err
		}
	}
	matcher := generic.NewPolicyMatcher(matching.NewMatcher(listersv1.NewNamespaceLister(indexer), namespaceClient{}))
	if err := matcher.ValidateInitialization(); err != nil {
		return nil, err
	}
	interfaces := admission.NewObjectInterfacesFromScheme(runtime.NewScheme())

	attributes := make([]admission.Attributes, len(batch.Requests))
	for i, r := range batch.Requests {
		object, err := decodeObject("object", r.Object)
		if err != nil {
			return nil, fmt.Errorf("request %q: %w", r.ID, err)
		}
		oldObject, err := decodeObject("oldObject", r.OldObject)
		if err != nil {
			return nil, fmt.Errorf("request %q: %w", r.ID, err)
		}
		attributes[i] = admission.NewAttributesRecord(asObject(object), asObject(oldObject), r.Kind,
			r.Namespace, r.Name, r.Resource, r.SubResource, admission.Operation(r.Operation), nil, false, &user.DefaultInfo{})
	}

	out := &MatchOutput{
		Kubernetes: kubernetesVersion(),
		Results:    make([]MatchResult, 0, len(batch.Policies)*len(batch.Requests)),
	}
	for _, p := range batch.Policies {
		if p.MatchConstraints == nil {
			return nil, fmt.Errorf("policy %q has no matchConstraints (the API server requires them)", p.ID)
		}
		defaultMatchResources(p.MatchConstraints)
		definition := &admissionregistrationv1.ValidatingAdmissionPolicy{
			Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{MatchConstraints: p.MatchConstraints},
		}
		for i, r := range batch.Requests {
			result := MatchResult{Policy: p.ID, Request: r.ID}
			matches, _, _, err := matcher.DefinitionMatches(attributes[i], interfaces, validating.NewValidatingAdmissionPolicyAccessor(definition))
			result.Matches = matches
			if err != nil {
				result.Error = err.Error()
			}
			out.Results = append(out.Results, result)
		}
	}
	return out, nil
}
