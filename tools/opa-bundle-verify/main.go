// Command opa-bundle-verify judges signed bundles with OPA's own bundle reader, exactly as
// `opa run --verification-key` and `opa build --bundle … --verification-key` do, without one
// process per bundle. It reads one JSON request per line on stdin and writes one JSON verdict
// per line on stdout, in order (see protocol.go and README.md).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
)

func main() {
	printVersion := flag.Bool("version", false, "print the OPA module version, then exit")
	flag.Parse()
	if *printVersion {
		fmt.Printf("opa-bundle-verify opa=%s\n", opaVersion())
		return
	}

	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	encoder := json.NewEncoder(out)
	encoder.SetEscapeHTML(false)
	for {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 {
			var request Request
			var verdict Verdict
			if decodeErr := json.Unmarshal(line, &request); decodeErr != nil {
				verdict = Verdict{Verdict: "error", Error: "not a request: " + decodeErr.Error()}
			} else {
				verdict = Judge(&request)
			}
			if encodeErr := encoder.Encode(verdict); encodeErr != nil {
				fail("writing stdout: %v", encodeErr)
			}
			// One verdict per request, as soon as it is known: the caller may wait for it.
			if flushErr := out.Flush(); flushErr != nil {
				fail("writing stdout: %v", flushErr)
			}
		}
		if err != nil {
			return // io.EOF: the caller closed stdin
		}
	}
}

// opaVersion is the github.com/open-policy-agent/opa module version the tool was built with.
func opaVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/open-policy-agent/opa" {
				return dep.Version
			}
		}
	}
	return "unknown"
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "opa-bundle-verify: "+format+"\n", args...)
	os.Exit(2)
}
