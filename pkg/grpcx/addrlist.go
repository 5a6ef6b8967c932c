package grpcx

import (
	"fmt"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"
)

// StaticScheme names a target that lists its servers itself:
// static:///host1:port,host2:port. Dial also takes the bare list
// (host1:port,host2:port) and balances calls over every address, as it
// does over the pods of a headless Service's dns:/// name: replicas that
// no DNS name gathers (processes on loopback, fixed hosts) are reached
// through one setting such as -search.addr.
const StaticScheme = "static"

// addressList recognizes a static:/// target or a bare comma-separated
// list: it returns the static:/// target and the dial option of a
// resolver serving its addresses to this connection only (nothing is
// registered globally). Any other target comes back unchanged with a nil
// option, for gRPC's own resolvers.
func addressList(target string) (string, grpc.DialOption, error) {
	list, static := strings.CutPrefix(target, StaticScheme+":///")
	if !static && (strings.Contains(target, "://") || !strings.Contains(target, ",")) {
		return target, nil, nil
	}
	var addrs []resolver.Address
	var names []string
	for _, a := range strings.Split(list, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			return "", nil, fmt.Errorf("grpcx: dial %q: an empty address in the list (want host:port,host:port)", target)
		}
		addrs = append(addrs, resolver.Address{Addr: a})
		names = append(names, a)
	}
	r := manual.NewBuilderWithScheme(StaticScheme)
	r.InitialState(resolver.State{Addresses: addrs})
	return StaticScheme + ":///" + strings.Join(names, ","), grpc.WithResolvers(r), nil
}
