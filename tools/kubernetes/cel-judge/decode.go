package main

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
)

// decodeJSON decodes like the API server decodes an unstructured body: numbers without a
// fraction or exponent become int64 (CEL int), the rest float64 (CEL double).
func decodeJSON(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var value any
	if err := utiljson.Unmarshal(raw, &value); err != nil {
		return nil, err
	}
	return value, nil
}

// decodeObject reads an object variable; absent or JSON null is no object (CEL null).
func decodeObject(field string, raw json.RawMessage) (*unstructured.Unstructured, error) {
	value, err := decodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	if value == nil {
		return nil, nil
	}
	object, ok := value.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s must be a JSON object or null, got %T", field, value)
	}
	return &unstructured.Unstructured{Object: object}, nil
}

// decodeNamespace reads namespaceObject into the typed Namespace the server binds.
func decodeNamespace(raw json.RawMessage) (*corev1.Namespace, error) {
	object, err := decodeObject("namespaceObject", raw)
	if err != nil || object == nil {
		return nil, err
	}
	namespace := &corev1.Namespace{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(object.Object, namespace); err != nil {
		return nil, fmt.Errorf("namespaceObject is not a Namespace: %w", err)
	}
	return namespace, nil
}

func metaGVR(gvr schema.GroupVersionResource) metav1.GroupVersionResource {
	return metav1.GroupVersionResource(gvr)
}

func metaGVK(gvk schema.GroupVersionKind) metav1.GroupVersionKind {
	return metav1.GroupVersionKind(gvk)
}
