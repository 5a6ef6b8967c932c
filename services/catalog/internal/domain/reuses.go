package domain

import "strings"

// ReuseTypes are udata's REUSE_TYPES, in udata's order.
var ReuseTypes = []Label{
	{"api", "API"},
	{"application", "Application"},
	{"idea", "Idea"},
	{"news_article", "News Article"},
	{"paper", "Paper"},
	{"post", "Post"},
	{"visualization", "Visualization"},
	{"hardware", "Connected device"},
}

// ReuseTopics are udata's REUSE_TOPICS, in udata's order.
var ReuseTopics = []Label{
	{"health", "Health"},
	{"transport_and_mobility", "Transport and mobility"},
	{"housing_and_development", "Housing and development"},
	{"food_and_agriculture", "Food and agriculture"},
	{"culture_and_recreation", "Culture and recreation"},
	{"economy_and_business", "Economy and business"},
	{"environment_and_energy", "Environment and energy"},
	{"work_and_training", "Work and training"},
	{"politics_and_public_life", "Politics and public life"},
	{"safety_and_security", "Safety and security"},
	{"education_and_research", "Education and research"},
	{"society_and_demography", "Society and demography"},
	{"law_and_justice", "Law and justice"},
	{"open_data_tools", "Open data tools"},
	{"others", "Others"},
}

// Reuse text limits (udata's reuse constants).
const (
	MaxReuseTitleLength       = 350
	MaxReuseDescriptionLength = 100_000
)

// MsgReuseURLTaken is udata's answer to a url another reuse has.
const MsgReuseURLTaken = "This URL is already registered"

// IsReuseType reports whether s is one of ReuseTypes.
func IsReuseType(s string) bool { return hasLabel(ReuseTypes, s) }

// IsReuseTopic reports whether s is one of ReuseTopics.
func IsReuseTopic(s string) bool { return hasLabel(ReuseTopics, s) }

// ReuseURLKey is the form of a reuse url compared for uniqueness: udata
// compares the SHA-1 of the url as given, so only surrounding spaces
// are dropped.
func ReuseURLKey(s string) string { return strings.TrimSpace(s) }
