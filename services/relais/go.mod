module github.com/relais-data/relais/services/relais

go 1.26.7
