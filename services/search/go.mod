module github.com/relais-data/relais/services/search

go 1.26.7

require (
	github.com/relais-data/relais/pkg v0.0.0
	github.com/relais-data/relais/proto v0.0.0
)

require (
	github.com/stretchr/testify v1.12.1 // indirect
	golang.org/x/text v0.43.0
	google.golang.org/grpc v1.85.0
	google.golang.org/protobuf v1.36.12 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace (
	github.com/relais-data/relais/pkg => ../../pkg
	github.com/relais-data/relais/proto => ../../proto
)
