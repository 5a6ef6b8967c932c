package remote

import "strings"

// frequencies maps the accrualPeriodicity IRIs catalogues use (Dublin
// Core's Collection frequencies, the EU authority's) and data.json's ISO
// 8601 durations to udata's frequency ids.
var frequencies = map[string]string{
	"continuous": "continuous", "daily": "daily", "weekly": "weekly", "biweekly": "biweekly",
	"semiweekly": "semiweekly", "threetimesaweek": "threeTimesAWeek", "monthly": "monthly",
	"bimonthly": "bimonthly", "semimonthly": "semimonthly", "threetimesamonth": "threeTimesAMonth",
	"quarterly": "quarterly", "threetimesayear": "threeTimesAYear", "semiannual": "semiannual",
	"annual": "annual", "biennial": "biennial", "triennial": "triennial", "irregular": "irregular",
	// EU authority (publications.europa.eu/resource/authority/frequency/)
	"never": "punctual", "hourly": "hourly", "daily_2": "semidaily", "daily_3": "threeTimesADay",
	"daily_4": "fourTimesADay", "weekly_2": "semiweekly", "weekly_3": "threeTimesAWeek",
	"weekly_4": "fourTimesAWeek", "monthly_2": "semimonthly", "monthly_3": "threeTimesAMonth",
	"annual_2": "semiannual", "annual_3": "threeTimesAYear", "quinquennial": "quinquennial",
	"cont": "continuous", "irreg": "irregular", "update_cont": "continuous", "unknown": "unknown",
	// data.json (ISO 8601)
	"r/pt1h": "hourly", "r/p1d": "daily", "r/p1w": "weekly", "r/p2w": "biweekly", "r/p1m": "monthly",
	"r/p2m": "bimonthly", "r/p3m": "quarterly", "r/p6m": "semiannual", "r/p1y": "annual",
	"r/p2y": "biennial", "r/p3y": "triennial", "r/p0.5m": "semimonthly", "r/p3.5d": "semiweekly",
}

// frequency is the udata id of a frequency IRI or code ("" when unknown).
func frequency(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.LastIndexAny(v, "/#"); i >= 0 && strings.Contains(v, "://") {
		v = v[i+1:]
	}
	return frequencies[strings.ToLower(v)]
}
