// Command cel-judge evaluates CEL exactly as a Kubernetes API server evaluates a
// ValidatingAdmissionPolicy: it reads one JSON batch on stdin and writes one JSON verdict
// document on stdout (see protocol.go and README.md). With -match it instead decides, with the
// API server's own matcher, which policies' matchConstraints select which requests (match.go).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"k8s.io/apimachinery/pkg/util/version"
)

func main() {
	compat := flag.String("compatibility-version", DefaultCompatibilityVersion.String(),
		"Kubernetes CEL compatibility version (major.minor) whose libraries new expressions may use")
	printVersion := flag.Bool("version", false, "print the Kubernetes libraries and compatibility version, then exit")
	match := flag.Bool("match", false, "read a match batch (matchConstraints and admission requests, see match.go) and say which policies the API server would run")
	flag.Parse()

	compatVersion, err := version.ParseMajorMinor(*compat)
	if err != nil {
		fail("bad -compatibility-version: %v", err)
	}
	if *printVersion {
		fmt.Printf("cel-judge kubernetes=%s compatibility=%s\n", kubernetesVersion(), compatVersion)
		return
	}

	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading stdin: %v", err)
	}
	if *match {
		var batch MatchBatch
		if err := json.Unmarshal(input, &batch); err != nil {
			fail("stdin is not a match batch: %v", err)
		}
		output, err := JudgeMatch(&batch)
		if err != nil {
			fail("%v", err)
		}
		write(output)
		return
	}
	var batch Batch
	if err := json.Unmarshal(input, &batch); err != nil {
		fail("stdin is not a judge batch: %v", err)
	}
	output, err := Judge(&batch, compatVersion)
	if err != nil {
		fail("%v", err)
	}
	write(output)
}

func write(output any) {
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetEscapeHTML(false)
	if err := encoder.Encode(output); err != nil {
		fail("writing stdout: %v", err)
	}
}

// kubernetesVersion is the k8s.io/apiserver module version the judge was built with. The module
// (tools/kubernetes) replaces every Kubernetes staging module with its published release, so the
// replacement is the code that was built.
func kubernetesVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "k8s.io/apiserver" {
				if dep.Replace != nil {
					return dep.Replace.Version
				}
				return dep.Version
			}
		}
	}
	return "unknown"
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "cel-judge: "+format+"\n", args...)
	os.Exit(2)
}
