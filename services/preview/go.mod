module github.com/relais-data/relais/services/preview

go 1.26.7

require (
	github.com/relais-data/relais/pkg v0.0.0
	github.com/relais-data/relais/proto v0.0.0
)

replace (
	github.com/relais-data/relais/pkg => ../../pkg
	github.com/relais-data/relais/proto => ../../proto
)
