package dcat

// euFrequency is the EU authority's frequency vocabulary, which udata's
// frequency ids follow.
const euFrequency = "http://publications.europa.eu/resource/authority/frequency/"

// frequencies maps udata's frequency ids to the EU authority's codes.
// Ids without one (severalTimesADay, threeTimesADay, fiveTimesAWeek,
// punctual) are written as literals of the id; unknown is left out.
var frequencies = map[string]string{
	"continuous": "CONT", "oneMinute": "1MIN", "fiveMinutes": "5MIN", "tenMinutes": "10MIN",
	"fifteenMinutes": "15MIN", "thirtyMinutes": "30MIN", "hourly": "HOURLY", "bihourly": "BIHOURLY",
	"trihourly": "TRIHOURLY", "twelveHours": "12HRS", "semidaily": "DAILY_2", "daily": "DAILY",
	"threeTimesAWeek": "WEEKLY_3", "semiweekly": "WEEKLY_2", "weekly": "WEEKLY", "biweekly": "BIWEEKLY",
	"threeTimesAMonth": "MONTHLY_3", "semimonthly": "MONTHLY_2", "monthly": "MONTHLY", "bimonthly": "BIMONTHLY",
	"quarterly": "QUARTERLY", "threeTimesAYear": "ANNUAL_3", "semiannual": "ANNUAL_2", "annual": "ANNUAL",
	"biennial": "BIENNIAL", "triennial": "TRIENNIAL", "quadrennial": "QUADRENNIAL", "quinquennial": "QUINQUENNIAL",
	"decennial": "DECENNIAL", "bidecennial": "BIDECENNIAL", "tridecennial": "TRIDECENNIAL",
	"irregular": "IRREG", "never": "NEVER", "notPlanned": "NOT_PLANNED", "other": "OTHER",
}

// frequency is a dataset's dct:accrualPeriodicity (the zero Term for
// none).
func frequency(id string) Term {
	if code, ok := frequencies[id]; ok {
		return Ref(euFrequency + code)
	}
	if id == "" || id == "unknown" {
		return Term{}
	}
	return Str(id)
}
