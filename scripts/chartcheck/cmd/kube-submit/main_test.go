package main

import (
	"strings"
	"testing"
)

func TestReleaseManifests(t *testing.T) {
	rel := `{"name":"r","manifest":"---\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: a}\n",` +
		`"hooks":[{"manifest":"kind: Job\napiVersion: batch/v1\nmetadata: {name: m}\n"}]}`
	data, err := releaseManifests([]byte(rel))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decode(data)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.GetKind()+"/"+o.GetName())
	}
	if strings.Join(got, " ") != "ConfigMap/a Job/m" {
		t.Fatalf("objects %v, want the manifest's ConfigMap then the hook's Job", got)
	}
	if _, err := releaseManifests([]byte("MANIFEST:\n")); err == nil {
		t.Fatal("helm's text output taken as a release")
	}
}

func TestDecodeSkipsEmptyDocuments(t *testing.T) {
	objs, err := decode([]byte("---\n# only a comment\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns1}\n---\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].GetName() != "ns1" {
		t.Fatalf("decoded %d objects, want the one Namespace", len(objs))
	}
	if _, err := decode([]byte("kind: [unclosed\n")); err == nil {
		t.Fatal("broken YAML decoded")
	}
}
