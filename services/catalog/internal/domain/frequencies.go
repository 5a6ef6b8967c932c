package domain

import "time"

// Frequency is an update frequency of /api/1/datasets/frequencies/.
type Frequency struct {
	ID    string
	Label string
	// Delta is the longest expected gap between two updates; 0 when the
	// frequency sets no expectation.
	Delta time.Duration
}

// DefaultFrequency is the frequency of a dataset that names none.
const DefaultFrequency = "unknown"

const day = 24 * time.Hour

// frequencies are udata's 40, in udata's order, with its English labels.
var frequencies = []Frequency{
	{"continuous", "Real time", 0},
	{"oneMinute", "Every minute", time.Minute},
	{"fiveMinutes", "Every five minutes", 5 * time.Minute},
	{"tenMinutes", "Every ten minutes", 10 * time.Minute},
	{"fifteenMinutes", "Every fifteen minutes", 15 * time.Minute},
	{"thirtyMinutes", "Every thirty minute", 30 * time.Minute},
	{"hourly", "Every hour", time.Hour},
	{"bihourly", "Every two hours", 2 * time.Hour},
	{"trihourly", "Every three hours", 3 * time.Hour},
	{"twelveHours", "Every twelve hours", 12 * time.Hour},
	{"severalTimesADay", "Several times a day", day},
	{"threeTimesADay", "Three times a day", day},
	{"semidaily", "Twice a day", day},
	{"daily", "Daily", day},
	{"fiveTimesAWeek", "Five times a week", 7 * day},
	{"threeTimesAWeek", "Three times a week", 7 * day},
	{"semiweekly", "Twice a week", 7 * day},
	{"weekly", "Weekly", 7 * day},
	{"biweekly", "Every two weeks", 14 * day},
	{"threeTimesAMonth", "Three times a month", 31 * day},
	{"semimonthly", "Twice a month", 31 * day},
	{"monthly", "Monthly", 31 * day},
	{"bimonthly", "Every two months", 62 * day},
	{"quarterly", "Quarterly", 93 * day},
	{"threeTimesAYear", "Three times a year", 365 * day},
	{"semiannual", "Twice a year", 365 * day},
	{"annual", "Annually", 365 * day},
	{"biennial", "Every two years", 2 * 365 * day},
	{"triennial", "Every three years", 3 * 365 * day},
	{"quadrennial", "Every four years", 4 * 365 * day},
	{"quinquennial", "Every five years", 5 * 365 * day},
	{"decennial", "Every ten years", 10 * 365 * day},
	{"bidecennial", "Every twenty years", 20 * 365 * day},
	{"tridecennial", "Every thirty years", 30 * 365 * day},
	{"punctual", "Punctual", 0},
	{"irregular", "Irregular", 0},
	{"never", "Never", 0},
	{"notPlanned", "Not planned", 0},
	{"other", "Other", 0},
	{"unknown", "Unknown", 0},
}

// legacyFrequencies maps old ids still accepted on input to current ones.
var legacyFrequencies = map[string]string{
	"realtime":       "continuous",
	"fourTimesADay":  "severalTimesADay",
	"fourTimesAWeek": "other",
	"fortnighly":     "biweekly",
	"biannual":       "semiannual",
}

// Frequencies returns the frequency list (callers must not modify it).
func Frequencies() []Frequency { return frequencies }

// NormalizeFrequency returns the current id for id (a current or legacy
// one); "" maps to "unknown". ok is false for an unknown id.
func NormalizeFrequency(id string) (string, bool) {
	if id == "" {
		return DefaultFrequency, true
	}
	if cur, ok := legacyFrequencies[id]; ok {
		return cur, true
	}
	_, ok := FrequencyByID(id)
	return id, ok
}

// FrequencyByID returns the frequency with this current id.
func FrequencyByID(id string) (Frequency, bool) {
	for _, f := range frequencies {
		if f.ID == id {
			return f, true
		}
	}
	return Frequency{}, false
}
