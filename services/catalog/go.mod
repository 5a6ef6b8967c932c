module github.com/relais-data/relais/services/catalog

go 1.26.7
