package udata

import (
	"testing"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// benchDescription is a description of the average size of the real
// datasets' (1.2 kB, about 30 non-ASCII characters).
const benchDescription = "La plateforme data.gouv.fr est le portail unique interministériel destiné à rassembler et à mettre à disposition librement l’ensemble des informations publiques de l’État, de ses établissements publics administratifs, des collectivités territoriales et des personnes de droit public ou de droit privé chargées d’une mission de service public.\n\nCe jeu de données contient les délibérations du conseil municipal : \n\n-\t**La liste des délibérations** : pour chaque délibération, il est notamment indiqué son numéro, son objet, sa date, le résultat du vote et le lien vers le document.\n\n-\t**Les annexes** : pour chaque annexe, il est indiqué son rattachement à une délibération, son titre et son URL.\n\nLes données sont publiées au format SCDL (schéma « délibérations », version 2.1.3) et mises à jour chaque semaine, après chaque séance du conseil. Elles sont publiées sous la Licence Ouverte 2.0."

// BenchmarkRenderDatasetPage renders a list page of 20 datasets with two
// resources each, as GET /api/1/datasets/ does.
func BenchmarkRenderDatasetPage(b *testing.B) {
	r := NewRenderer(testBase)
	datasets := make([]*catalogv1.Dataset, 20)
	for i := range datasets {
		datasets[i] = sampleDataset()
		datasets[i].Description = benchDescription
	}
	info := PageInfo{Page: 1, PageSize: 20, Total: 24189,
		Next: testBase + "/api/1/datasets/?page=2&page_size=20"}
	w := NewWriter(64 << 10)
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		w.Page(info, func(w *Writer) {
			for _, d := range datasets {
				r.Dataset(w, d)
			}
		})
	}
	b.SetBytes(int64(len(w.Bytes())))
}

// BenchmarkRenderDataset renders one dataset, as GET /api/1/datasets/{id}/.
func BenchmarkRenderDataset(b *testing.B) {
	r := NewRenderer(testBase)
	d := sampleDataset()
	w := NewWriter(8 << 10)
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		r.Dataset(w, d)
	}
	b.SetBytes(int64(len(w.Bytes())))
}
