package remote

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/relais-data/relais/services/harvest/internal/rdf"
)

// CSWDCAT is a geocatalogue (GeoNetwork) answering CSW GetRecords in DCAT
// (outputSchema dcat), paged with startPosition and the answer's
// nextRecord, as data.gouv.fr's csw-dcat harvester reads it.
type CSWDCAT struct {
	Get      Getter
	URL      string // the CSW endpoint, e.g. https://…/geonetwork/srv/fre/csw
	PageSize int    // records a request (default 50)
}

const cswNS = "http://www.opengis.net/cat/csw/2.0.2"

// Walk asks for each page of records in turn.
func (s *CSWDCAT) Walk(ctx context.Context, yield func(Dataset) error) error {
	size := s.PageSize
	if size <= 0 {
		size = 50
	}
	var pages pager
	for start := 1; start > 0; {
		q := url.Values{
			"service": {"CSW"}, "version": {"2.0.2"}, "request": {"GetRecords"}, "typeNames": {"csw:Record"},
			"resultType": {"results"}, "elementSetName": {"full"}, "outputSchema": {dcatNS},
			"startPosition": {strconv.Itoa(start)}, "maxRecords": {strconv.Itoa(size)},
		}
		sep := "?"
		if strings.Contains(s.URL, "?") {
			sep = "&"
		}
		next := s.URL + sep + q.Encode()
		if err := pages.next(next); err != nil {
			return err
		}
		page, err := s.Get.Get(ctx, next, "application/xml")
		if err != nil {
			return err
		}
		g, err := rdf.ParseXML(bytes.NewReader(page.Body))
		if err != nil {
			return fmt.Errorf("page %s: %w", next, err)
		}
		for _, d := range DCATDatasets(g) {
			if err := yield(d); err != nil {
				return err
			}
		}
		if start, err = nextRecord(page.Body); err != nil {
			return fmt.Errorf("page %s: %w", next, err)
		}
	}
	return nil
}

// nextRecord reads csw:SearchResults' nextRecord: 0 (or beyond the
// records matched) when the page is the last.
func nextRecord(body []byte) (int, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return 0, errors.New("no csw:SearchResults")
		}
		if err != nil {
			return 0, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Space != cswNS || se.Name.Local != "SearchResults" {
			continue
		}
		var next, matched int
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "nextRecord":
				next, _ = strconv.Atoi(a.Value)
			case "numberOfRecordsMatched":
				matched, _ = strconv.Atoi(a.Value)
			}
		}
		if next > matched {
			next = 0
		}
		return next, nil
	}
}
