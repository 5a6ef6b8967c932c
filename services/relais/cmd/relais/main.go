// Command relais is the one Relais binary.
//
//	relais [-target=all|catalog|storage|gateway] [-demo.load] [-config.file F] [-<path>=<value>…]
//	relais config [migrate] [flags]        check the configuration (as running the target, or migrate, would) and print it
//	relais import --file export.csv.gz --token T   import a data.gouv.fr catalogue export
//	relais admin create-user --email E [--sysadmin]   prints an API token
//	relais migrate [flags]                 migrate the catalog's and the storage service's databases and exit
//	relais version
//
// main only wires: it parses the configuration, builds the logger and
// hands over to package relais.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/relais-data/relais/services/relais"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := relais.Main(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "relais:", err)
		os.Exit(1)
	}
}
