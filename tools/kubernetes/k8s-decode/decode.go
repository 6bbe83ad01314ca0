package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/cli-runtime/pkg/resource"
)

// kubectlReader is what cli-runtime's FileVisitor hands the decoder for a file or stdin (`-f`):
// the bytes through BOMOverride, which drops a UTF-8 BOM at the start, decodes UTF-16 with a
// BOM, and replaces invalid UTF-8 with U+FFFD.
func kubectlReader(stream string) io.Reader {
	return transform.NewReader(strings.NewReader(stream), unicode.BOMOverride(unicode.UTF8.NewDecoder()))
}

// DecodeLikeKubectl reads a stream the way `kubectl apply -f` / `kubectl create -f` does
// before talking to a server: cli-runtime's resource.Builder, local (no REST mapping, which
// needs a cluster), unstructured, with FlattenListVisitor. Objects come in kubectl's order.
func DecodeLikeKubectl(stream string) ([]any, error) {
	result := resource.NewLocalBuilder().
		Unstructured().
		Stream(kubectlReader(stream), "stream").
		Flatten().
		Do()
	var objects []any
	err := result.Visit(func(info *resource.Info, err error) error {
		if err != nil {
			return err
		}
		content, err := contentOf(info.Object)
		if err != nil {
			return err
		}
		objects = append(objects, content)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return objects, nil
}

func contentOf(object runtime.Object) (any, error) {
	switch typed := object.(type) {
	case *unstructured.Unstructured:
		return typed.UnstructuredContent(), nil
	case *unstructured.UnstructuredList:
		// FlattenListVisitor never passes a list on; this would mean a list it could not open.
		return typed.UnstructuredContent(), nil
	case nil:
		return nil, errors.New("kubectl produced no object")
	default:
		return nil, errors.New("kubectl produced an object that is not unstructured")
	}
}

// DecodeDocuments gives each document of a stream as YAMLOrJSONDecoder turns it into JSON
// (what StreamVisitor hands on, before any kubectl step): documents that are empty or `null`
// are left out, as StreamVisitor leaves them out.
func DecodeDocuments(stream string) ([]any, error) {
	decoder := yaml.NewYAMLOrJSONDecoder(kubectlReader(stream), 4096)
	var documents []any
	for {
		ext := runtime.RawExtension{}
		if err := decoder.Decode(&ext); err != nil {
			if err == io.EOF {
				return documents, nil
			}
			return nil, err
		}
		raw := bytes.TrimSpace(ext.Raw)
		if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
			continue
		}
		var value any
		jsonDecoder := json.NewDecoder(bytes.NewReader(raw))
		jsonDecoder.UseNumber() // numbers exactly as written: 2^63 and 0.1 stay what they are
		if err := jsonDecoder.Decode(&value); err != nil {
			return nil, err
		}
		documents = append(documents, value)
	}
}
