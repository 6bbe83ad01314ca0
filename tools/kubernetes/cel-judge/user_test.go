package main

import (
	"encoding/json"
	"testing"
)

// A case's userInfo is request.userInfo as the API server binds it (empty fields left out);
// a case without one is judged with the empty user, as before cases could name one.
func TestUserInfo(t *testing.T) {
	expressions := []Expression{
		{ID: "username", Expression: `has(request.userInfo.username) && request.userInfo.username == "system:serviceaccount:a:b"`},
		{ID: "groups", Expression: `has(request.userInfo.groups) && "dev" in request.userInfo.groups`},
		{ID: "extra", Expression: `has(request.userInfo.extra) && "scopes" in request.userInfo.extra && request.userInfo.extra["scopes"] == ["admin"]`},
		{ID: "uid", Expression: `has(request.userInfo.uid) && request.userInfo.uid == "42"`},
		{ID: "delete", Expression: `request.operation == "DELETE" && object == null && oldObject.metadata.name == "web"`},
	}
	user := &UserInfo{Username: "system:serviceaccount:a:b", UID: "42", Groups: []string{"dev"}, Extra: map[string][]string{"scopes": {"admin"}}}
	out := judge(t, Batch{
		Expressions: expressions,
		Cases: []Case{
			{ID: "user", Object: json.RawMessage(pod), UserInfo: user},
			{ID: "none", Object: json.RawMessage(pod)},
			{ID: "delete", OldObject: json.RawMessage(pod), Operation: "DELETE", UserInfo: &UserInfo{Username: "x"}},
		},
	}, DefaultCompatibilityVersion)
	if len(out.CompileErrors) > 0 {
		t.Fatalf("unexpected compile error: %+v", out.CompileErrors)
	}
	want := map[string][]bool{
		"user":   {true, true, true, true, false},
		"none":   {false, false, false, false, false},
		"delete": {false, false, false, false, true},
	}
	for _, r := range out.Results {
		index := -1
		for i, e := range expressions {
			if e.ID == r.Expression {
				index = i
			}
		}
		if r.Value == nil {
			t.Fatalf("%s/%s: error %s", r.Case, r.Expression, r.Error)
		}
		if *r.Value != want[r.Case][index] {
			t.Errorf("%s/%s = %v, want %v", r.Case, r.Expression, *r.Value, want[r.Case][index])
		}
	}
}

// request.userInfo's fields are typed: a field UserInfo does not have does not compile.
func TestUserInfoIsTyped(t *testing.T) {
	if compileError(t, `request.userInfo.name == "a"`, DefaultCompatibilityVersion) == "" {
		t.Fatal("request.userInfo.name compiled")
	}
}
