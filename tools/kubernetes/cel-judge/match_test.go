package main

import (
	"encoding/json"
	"testing"
)

const debugPod = `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "team-a"}}`

func matchBatch(t *testing.T, text string) *MatchOutput {
	t.Helper()
	var batch MatchBatch
	if err := json.Unmarshal([]byte(text), &batch); err != nil {
		t.Fatal(err)
	}
	out, err := JudgeMatch(&batch)
	if err != nil {
		t.Fatalf("JudgeMatch: %v", err)
	}
	return out
}

// A rule for `pods` does not select a request through a Pod subresource: the API server
// matches the subresource exactly (or through "pods/*", which selects pods as well).
func TestSubresourcesMatchOnlyWhenListed(t *testing.T) {
	out := matchBatch(t, `{
	  "policies": [
	    {"id": "pods", "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["pods"]}]}},
	    {"id": "ephemeral", "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["pods", "pods/ephemeralcontainers"]}]}},
	    {"id": "all", "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["pods/*"]}]}},
	    {"id": "create-only", "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods/ephemeralcontainers"]}]}}
	  ],
	  "requests": [
	    {"id": "debug", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "resource": {"group": "", "version": "v1", "resource": "pods"},
	     "subResource": "ephemeralcontainers", "operation": "UPDATE", "namespace": "team-a", "name": "web", "object": `+debugPod+`},
	    {"id": "create", "kind": {"group": "", "version": "v1", "kind": "Pod"}, "resource": {"group": "", "version": "v1", "resource": "pods"},
	     "operation": "CREATE", "namespace": "team-a", "name": "web", "object": `+debugPod+`}
	  ]
	}`)
	want := map[string]bool{
		"pods/debug": false, "pods/create": true,
		"ephemeral/debug": true, "ephemeral/create": true,
		"all/debug": true, "all/create": true, // "pods/*" also selects pods itself
		"create-only/debug": false, "create-only/create": false,
	}
	if len(out.Results) != len(want) {
		t.Fatalf("got %d results, want %d", len(out.Results), len(want))
	}
	for _, r := range out.Results {
		if r.Error != "" {
			t.Errorf("%s/%s: error %s", r.Policy, r.Request, r.Error)
		}
		if got := r.Matches; got != want[r.Policy+"/"+r.Request] {
			t.Errorf("%s/%s: matches %v, want %v", r.Policy, r.Request, got, !got)
		}
	}
}

// A namespaceSelector reads the labels of the Namespaces given; a missing namespace is the
// server's NotFound error, never a silent match.
func TestNamespaceSelector(t *testing.T) {
	out := matchBatch(t, `{
	  "policies": [{"id": "not-kube-system", "matchConstraints": {
	    "resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["UPDATE"], "resources": ["pods/ephemeralcontainers"]}],
	    "namespaceSelector": {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system"]}]}}}],
	  "namespaces": [
	    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a", "labels": {"kubernetes.io/metadata.name": "team-a"}}},
	    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system", "labels": {"kubernetes.io/metadata.name": "kube-system"}}}
	  ],
	  "requests": [
	    {"id": "team-a", "kind": {"version": "v1", "kind": "Pod"}, "resource": {"version": "v1", "resource": "pods"}, "subResource": "ephemeralcontainers", "operation": "UPDATE", "namespace": "team-a", "name": "web", "object": `+debugPod+`},
	    {"id": "kube-system", "kind": {"version": "v1", "kind": "Pod"}, "resource": {"version": "v1", "resource": "pods"}, "subResource": "ephemeralcontainers", "operation": "UPDATE", "namespace": "kube-system", "name": "web", "object": `+debugPod+`},
	    {"id": "ghost", "kind": {"version": "v1", "kind": "Pod"}, "resource": {"version": "v1", "resource": "pods"}, "subResource": "ephemeralcontainers", "operation": "UPDATE", "namespace": "ghost", "name": "web", "object": `+debugPod+`}
	  ]
	}`)
	got := map[string]MatchResult{}
	for _, r := range out.Results {
		got[r.Request] = r
	}
	if !got["team-a"].Matches || got["team-a"].Error != "" {
		t.Errorf("team-a: %+v, want a match", got["team-a"])
	}
	if got["kube-system"].Matches || got["kube-system"].Error != "" {
		t.Errorf("kube-system: %+v, want no match", got["kube-system"])
	}
	if got["ghost"].Matches || got["ghost"].Error == "" {
		t.Errorf("ghost: %+v, want the server's not-found error", got["ghost"])
	}
}

func TestMatchConstraintsAreRequired(t *testing.T) {
	var batch MatchBatch
	if err := json.Unmarshal([]byte(`{"policies": [{"id": "none"}], "requests": []}`), &batch); err != nil {
		t.Fatal(err)
	}
	if _, err := JudgeMatch(&batch); err == nil {
		t.Fatal("a policy without matchConstraints was accepted")
	}
}
