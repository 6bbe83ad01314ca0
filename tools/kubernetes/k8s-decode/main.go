// Command k8s-decode reads Kubernetes manifests exactly as kubectl does, so that Charter's own
// loader can be proven against it: JSON lines in on stdin, one request a line, and one JSON
// line out per request, in order (see protocol.go and README.md).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

func main() {
	printVersion := flag.Bool("version", false, "print the Kubernetes libraries it was built with, then exit")
	flag.Parse()
	if *printVersion {
		fmt.Printf("k8s-decode kubernetes=%s\n", moduleVersion("k8s.io/cli-runtime"))
		return
	}

	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	encoder := json.NewEncoder(out)
	encoder.SetEscapeHTML(false)
	for {
		line, err := in.ReadBytes('\n')
		if len(line) > 0 {
			if err := encoder.Encode(answer(line)); err != nil {
				fail("writing stdout: %v", err)
			}
			// Each answer goes out at once: the client waits for it before the next request.
			if err := out.Flush(); err != nil {
				fail("writing stdout: %v", err)
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			fail("reading stdin: %v", err)
		}
	}
}

// answer decodes one request line; nothing in the stream makes the program stop.
func answer(line []byte) (response Response) {
	var request Request
	if err := json.Unmarshal(line, &request); err != nil {
		return Response{Error: fmt.Sprintf("request is not JSON: %v", err)}
	}
	response.ID = request.ID
	defer func() {
		if recovered := recover(); recovered != nil {
			response.Objects = nil
			response.Error = fmt.Sprintf("panic: %v", recovered)
		}
	}()
	var objects []any
	var err error
	if request.Flatten == nil || *request.Flatten {
		objects, err = DecodeLikeKubectl(request.Stream)
	} else {
		objects, err = DecodeDocuments(request.Stream)
	}
	if err != nil {
		return Response{ID: request.ID, Error: err.Error()}
	}
	if objects == nil {
		objects = []any{}
	}
	return Response{ID: request.ID, Objects: objects}
}

// moduleVersion is the version of a module the binary was built with. The module
// (tools/kubernetes) replaces every Kubernetes staging module with its published release, so the
// replacement is the code that was built.
func moduleVersion(path string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == path {
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
	fmt.Fprintf(os.Stderr, "k8s-decode: "+format+"\n", args...)
	os.Exit(2)
}
