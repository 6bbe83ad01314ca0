package main

import "encoding/json"

// Request is one line of stdin.
type Request struct {
	// ID is echoed in the response (any JSON value).
	ID json.RawMessage `json:"id"`
	// Stream is the text of a manifest file: any number of YAML or JSON documents.
	Stream string `json:"stream"`
	// Flatten (default true) reads the stream as kubectl does: objects decoded as
	// unstructured.Unstructured and List objects flattened into their items, recursively.
	// false gives each document as sigs.k8s.io/yaml turns it into JSON, lists left alone and
	// documents that are not objects included (a scalar, a sequence).
	Flatten *bool `json:"flatten,omitempty"`
}

// Response is one line of stdout: Objects, or Error when kubectl would refuse the stream.
type Response struct {
	ID      json.RawMessage `json:"id"`
	Objects []any           `json:"objects,omitempty"`
	Error   string          `json:"error,omitempty"`
}
