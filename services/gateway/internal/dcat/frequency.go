package dcat

// frequencies maps udata's frequency ids to the Dublin Core Collection
// frequency vocabulary udata writes (purl.org/cld/freq/), else the EU
// authority's.
var frequencies = map[string]string{
	"punctual":         "http://publications.europa.eu/resource/authority/frequency/NEVER",
	"continuous":       "http://purl.org/cld/freq/continuous",
	"hourly":           "http://publications.europa.eu/resource/authority/frequency/HOURLY",
	"fourTimesADay":    "http://publications.europa.eu/resource/authority/frequency/DAILY_4",
	"threeTimesADay":   "http://publications.europa.eu/resource/authority/frequency/DAILY_3",
	"semidaily":        "http://purl.org/cld/freq/semiweekly",
	"daily":            "http://purl.org/cld/freq/daily",
	"fourTimesAWeek":   "http://publications.europa.eu/resource/authority/frequency/WEEKLY_4",
	"threeTimesAWeek":  "http://purl.org/cld/freq/threeTimesAWeek",
	"semiweekly":       "http://purl.org/cld/freq/semiweekly",
	"weekly":           "http://purl.org/cld/freq/weekly",
	"biweekly":         "http://purl.org/cld/freq/biweekly",
	"threeTimesAMonth": "http://purl.org/cld/freq/threeTimesAMonth",
	"semimonthly":      "http://purl.org/cld/freq/semimonthly",
	"monthly":          "http://purl.org/cld/freq/monthly",
	"bimonthly":        "http://purl.org/cld/freq/bimonthly",
	"quarterly":        "http://purl.org/cld/freq/quarterly",
	"threeTimesAYear":  "http://purl.org/cld/freq/threeTimesAYear",
	"semiannual":       "http://purl.org/cld/freq/semiannual",
	"annual":           "http://purl.org/cld/freq/annual",
	"biennial":         "http://purl.org/cld/freq/biennial",
	"triennial":        "http://purl.org/cld/freq/triennial",
	"quinquennial":     "http://publications.europa.eu/resource/authority/frequency/QUINQUENNIAL",
	"irregular":        "http://purl.org/cld/freq/irregular",
}
