.DEFAULT_GOAL := help

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-14s %s\n", $$1, $$2}'

run: ## run the portal with demo data on http://localhost:8080
	go run ./services/relais/cmd/relais -demo.load

test: ## the test command: tools, proto checks, PostgreSQL, every test
	scripts/test.sh

test-short: ## the tests without the slow ones
	scripts/test.sh -short

proto: ## regenerate the Go code of proto/ (buf, local plugins)
	scripts/tools.sh
	cd proto && PATH="$$(go env GOPATH)/bin:$$PATH" buf lint && PATH="$$(go env GOPATH)/bin:$$PATH" buf generate

build: ## build bin/relais
	go build -o bin/relais ./services/relais/cmd/relais

bench-catalog: ## import the 24 189 real datasets and load-test the API (SQLite, PostgreSQL)
	scripts/bench-catalog.sh

bench-storage: ## upload and download 1 GiB through the API (single, 20 MB chunks), MB/s and RSS, beside dd (fs, MinIO)
	scripts/bench-storage.sh fs s3

demo-data: ## regenerate the embedded demo data from ../shared/data/catalog
	go run ./services/relais/internal/demo/gen -from ../shared/data/catalog/datagouv-export-dataset-20260116-sample-1in5.csv.gz -out services/relais/internal/demo/data/demo-export.csv.gz

.PHONY: help run test test-short proto build bench-catalog bench-storage demo-data
