package main

// Request is one bundle to judge, one JSON object per line.
type Request struct {
	// ID is echoed back in the verdict.
	ID string `json:"id"`
	// Bundle is the .tar.gz, base64 (standard encoding).
	Bundle []byte `json:"bundle"`
	// Key is the verification key as `--verification-key` gives it: a PEM text, or the
	// HMAC secret itself. base64 (standard encoding), so a secret may hold any bytes.
	Key []byte `json:"key"`
	// Alg is `--signing-alg` (OPA's default: RS256).
	Alg string `json:"alg,omitempty"`
	// KeyID is `--verification-key-id` (OPA's default: "default").
	KeyID string `json:"keyId,omitempty"`
	// Scope is `--scope`.
	Scope string `json:"scope,omitempty"`
}

// Verdict is OPA's answer for one request.
type Verdict struct {
	ID string `json:"id"`
	// Verdict is "accepted" (OPA activates the bundle), "refused" (OPA does not; Error says
	// why, in OPA's words) or "error" (the request itself was malformed).
	Verdict string `json:"verdict"`
	Error   string `json:"error,omitempty"`
	// LoadsUnverified tells whether OPA reads the bundle with verification skipped: a
	// refusal of a bundle that loads so is a refusal of its signature, not of its contents.
	LoadsUnverified bool `json:"loadsUnverified"`
}
