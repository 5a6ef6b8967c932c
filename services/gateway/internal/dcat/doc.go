// Package dcat writes DCAT-AP as data.gouv.fr does (udata's rdf.py):
// datasets as dcat:Dataset, resources as dcat:Distribution, and the
// catalog node with hydra paging, in RDF/XML, Turtle, N-Triples and
// JSON-LD. Writers stream: each node is written as soon as it is made, so a
// catalog of any size is exported in constant memory; the catalog's
// dcat:dataset links go out one statement per dataset for the same reason.
package dcat
