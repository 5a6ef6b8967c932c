// Package remote reads harvest sources into one shape, Dataset: the
// data.gouv.fr API (data.gouv.fr itself or another Relais), DCAT
// (RDF/XML, Turtle, JSON-LD with hydra paging; a geocatalogue's CSW
// answering in DCAT), CKAN's package_search and DCAT-US data.json. Every
// source pages; a Walk follows the pages with a guard against loops and a
// bound on their count, and hands each dataset to the caller, with the
// problem of an unusable one (no title, say) on the item rather than as an
// error of the run.
package remote
