module github.com/relais-data/relais/services/gateway

go 1.26.7
