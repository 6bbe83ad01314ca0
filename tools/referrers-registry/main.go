// Command referrers-registry is go-containerregistry's in-memory registry with the OCI 1.1
// referrers API switched on (the stock cmd/registry has none), for the signing rig's tests.
// It listens on -addr (port 0: a free one) and prints "serving on <host:port>" once listening;
// requests are not logged.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	printVersion := flag.Bool("version", false, "print the go-containerregistry module version, then exit")
	flag.Parse()
	if *printVersion {
		fmt.Printf("referrers-registry go-containerregistry=%s\n", ggcrVersion())
		return
	}
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "serving on %s\n", listener.Addr())
	quiet := log.New(io.Discard, "", 0)
	handler := registry.New(registry.WithReferrersSupport(true), registry.Logger(quiet))
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(server.Serve(listener))
}

// ggcrVersion is the github.com/google/go-containerregistry module version the tool was built with.
func ggcrVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/google/go-containerregistry" {
				return dep.Version
			}
		}
	}
	return "unknown"
}
