package portal

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

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
// the datasets updated last and those the operator features, kept for
// homeTTL.
func (p *Portal) home(w http.ResponseWriter, r *http.Request) {
	data, err := p.homeData.get(func() (homePage, error) { return p.loadHome(r.Context()) })
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.render(w, r, http.StatusOK, "home", page{Title: p.loc.t("home.title"), Data: data})
}

// homeTTL is how long the home page's lists are kept.
const homeTTL = 10 * time.Second

// loadHome reads the home page's three lists in parallel.
func (p *Portal) loadHome(ctx context.Context) (homePage, error) {
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
	if err := errors.Join(errO, errR, errF); err != nil {
		return homePage{}, err
	}
	return homePage{
		Organizations: orgs.GetOrganizations(), Recent: recent.GetDatasets(),
		Featured: featured.GetDatasets(), Datasets: recent.GetTotal(),
	}, nil
}
