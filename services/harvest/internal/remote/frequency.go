package remote

import "strings"

// frequencies maps, lowercased, what catalogues write as a frequency to
// udata's ids: the EU authority's codes (which udata's ids follow), Dublin
// Core's Collection frequencies, data.json's ISO 8601 repetitions, and
// udata's ids themselves.
var frequencies = map[string]string{
	// EU authority (publications.europa.eu/resource/authority/frequency/)
	"cont": "continuous", "update_cont": "continuous", "1min": "oneMinute", "5min": "fiveMinutes",
	"10min": "tenMinutes", "15min": "fifteenMinutes", "30min": "thirtyMinutes", "bihourly": "bihourly",
	"trihourly": "trihourly", "12hrs": "twelveHours", "daily_2": "semidaily", "weekly_3": "threeTimesAWeek",
	"weekly_2": "semiweekly", "monthly_3": "threeTimesAMonth", "monthly_2": "semimonthly",
	"annual_3": "threeTimesAYear", "annual_2": "semiannual", "irreg": "irregular", "not_planned": "notPlanned",
	// data.json (ISO 8601)
	"r/pt1h": "hourly", "r/p1d": "daily", "r/p1w": "weekly", "r/p2w": "biweekly", "r/p1m": "monthly",
	"r/p2m": "bimonthly", "r/p3m": "quarterly", "r/p6m": "semiannual", "r/p1y": "annual",
	"r/p2y": "biennial", "r/p3y": "triennial", "r/p0.5m": "semimonthly", "r/p3.5d": "semiweekly",
}

// udataFrequencies are udata's ids, also the names Dublin Core's
// Collection frequencies and most EU codes share once lowercased.
var udataFrequencies = []string{
	"continuous", "oneMinute", "fiveMinutes", "tenMinutes", "fifteenMinutes", "thirtyMinutes", "hourly",
	"bihourly", "trihourly", "twelveHours", "severalTimesADay", "threeTimesADay", "semidaily", "daily",
	"fiveTimesAWeek", "threeTimesAWeek", "semiweekly", "weekly", "biweekly", "threeTimesAMonth", "semimonthly",
	"monthly", "bimonthly", "quarterly", "threeTimesAYear", "semiannual", "annual", "biennial", "triennial",
	"quadrennial", "quinquennial", "decennial", "bidecennial", "tridecennial", "punctual", "irregular",
	"never", "notPlanned", "other", "unknown",
}

func init() {
	for _, id := range udataFrequencies {
		frequencies[strings.ToLower(id)] = id
	}
}

// frequency is the udata id of a frequency IRI or code ("" when unknown).
func frequency(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.LastIndexAny(v, "/#"); i >= 0 && strings.Contains(v, "://") {
		v = v[i+1:]
	}
	return frequencies[strings.ToLower(v)]
}
