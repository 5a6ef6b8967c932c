package portal

import (
	"net/http"
	"sync"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// homePage is what the home page shows.
type homePage struct {
	Organizations []*catalogv1.Organization
	Recent        []*catalogv1.Dataset
	Featured      []*catalogv1.Dataset
	Datasets      int64
}

// home is GET /: the search box, the collectivités publishing the most,
// the datasets updated last and those the operator features. The three
// reads go in parallel.
func (p *Portal) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var (
		wg                sync.WaitGroup
		orgs              *catalogv1.ListOrganizationsResponse
		recent, featured  *catalogv1.ListDatasetsResponse
		errO, errR, errF  error
		featuredRequested = true
	)
	wg.Add(3)
	go func() {
		defer wg.Done()
		orgs, errO = p.opts.Catalog.ListOrganizations(ctx, &catalogv1.ListOrganizationsRequest{Sort: "-datasets", PageSize: 12})
	}()
	go func() {
		defer wg.Done()
		recent, errR = p.opts.Catalog.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Sort: "-last_update", PageSize: 6})
	}()
	go func() {
		defer wg.Done()
		featured, errF = p.opts.Catalog.ListDatasets(ctx, &catalogv1.ListDatasetsRequest{Featured: &featuredRequested, Sort: "-last_update", PageSize: 6})
	}()
	wg.Wait()
	for _, err := range []error{errO, errR, errF} {
		if err != nil {
			p.fail(w, r, err)
			return
		}
	}
	p.render(w, r, http.StatusOK, "home", page{
		Title: "Accueil",
		Data: homePage{
			Organizations: orgs.GetOrganizations(), Recent: recent.GetDatasets(),
			Featured: featured.GetDatasets(), Datasets: recent.GetTotal(),
		},
	})
}
