// Command k8s-kinds prints, as JSON, every kind of every built-in API group/version that
// client-go's scheme registers (k8s.io/api at the pinned release), with CustomResourceDefinition
// and APIService: the source of
// packages/runtime/src/input/api-versions/known-kinds.gen.json. Run scripts/gen-k8s-kinds.sh.
package main

import (
	"encoding/json"
	"os"
	"sort"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	"k8s.io/client-go/kubernetes/scheme"
)

// Kinds every group/version registers for its API machinery, never written in a manifest.
var machinery = map[string]bool{
	"APIGroup": true, "APIGroupList": true, "APIResourceList": true, "APIVersions": true,
	"CreateOptions": true, "DeleteOptions": true, "GetOptions": true, "ListOptions": true,
	"PatchOptions": true, "UpdateOptions": true, "WatchEvent": true, "Status": true,
}

// kube-aggregator's group, served by every kube-apiserver; not worth its module for one kind.
var aggregator = map[string][]string{
	"apiregistration.k8s.io/v1":      {"APIService"},
	"apiregistration.k8s.io/v1beta1": {"APIService"},
}

func main() {
	// CustomResourceDefinitions are served by the apiextensions server inside kube-apiserver.
	if err := apiextensionsv1.AddToScheme(scheme.Scheme); err != nil {
		panic(err)
	}
	if err := apiextensionsv1beta1.AddToScheme(scheme.Scheme); err != nil {
		panic(err)
	}
	// "group/version" (core: "v1") -> sorted kinds
	out := map[string][]string{}
	for gvk := range scheme.Scheme.AllKnownTypes() {
		if gvk.Version == "__internal" || machinery[gvk.Kind] || strings.HasSuffix(gvk.Kind, "List") {
			continue
		}
		gv := gvk.GroupVersion().String()
		out[gv] = append(out[gv], gvk.Kind)
	}
	for gv, kinds := range aggregator {
		out[gv] = append(out[gv], kinds...)
	}
	for _, kinds := range out {
		sort.Strings(kinds)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
