package main

import (
	"bytes"

	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/keys"
)

// The defaults of `opa run` and `opa build` (cmd/build.go: defaultPublicKeyID,
// defaultTokenSigningAlg).
const (
	defaultKeyID = "default"
	defaultAlg   = "RS256"
)

// Judge reads the bundle as `opa build --bundle FILE --verification-key …` does
// (cmd/build.go buildVerificationConfig, v1/loader: NewCustomReader over a tarball loader).
func Judge(request *Request) Verdict {
	verdict := Verdict{ID: request.ID}
	keyID := request.KeyID
	if keyID == "" {
		keyID = defaultKeyID
	}
	alg := request.Alg
	if alg == "" {
		alg = defaultAlg
	}
	// keys.NewKeyConfig(key, alg, scope) with the key text itself (it would read a file path).
	config := &keys.Config{Key: string(request.Key), Algorithm: alg, Scope: request.Scope}
	verification := bundle.NewVerificationConfig(
		map[string]*keys.Config{keyID: config}, keyID, request.Scope, nil)

	_, err := read(request.Bundle, verification, false)
	if err == nil {
		verdict.Verdict = "accepted"
	} else {
		verdict.Verdict = "refused"
		verdict.Error = err.Error()
	}
	_, unverifiedErr := read(request.Bundle, nil, true)
	verdict.LoadsUnverified = unverifiedErr == nil
	return verdict
}

func read(archive []byte, verification *bundle.VerificationConfig, skip bool) (bundle.Bundle, error) {
	loader := bundle.NewTarballLoaderWithBaseURL(bytes.NewReader(archive), "")
	reader := bundle.NewCustomReader(loader).
		WithBundleVerificationConfig(verification).
		WithSkipBundleVerification(skip)
	return reader.Read()
}
