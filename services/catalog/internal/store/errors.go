package store

import "github.com/relais-data/relais/pkg/sqldb"

func isUnique(err error) bool { return sqldb.IsUniqueViolation(err) }
