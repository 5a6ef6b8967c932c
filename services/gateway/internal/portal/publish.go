package portal

import (
	"net/http"
	"net/url"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	catalogv1 "github.com/relais-data/relais/proto/relais/catalog/v1"
)

// datasetForm is the create and edit form: the fields as typed, the
// choices, and what the catalog refused.
type datasetForm struct {
	// ID is "" when creating.
	ID           string
	Title        string
	Description  string
	License      string
	Frequency    string
	Tags         string
	Organization string
	Private      bool
	Error        string
	Licenses     []*catalogv1.License
	Frequencies  []*catalogv1.Label
	Orgs         []*catalogv1.OrganizationRef
}

// datasetEdit is the edit page: the form, the files with their analysis,
// the upload and the publication.
type datasetEdit struct {
	Form      datasetForm
	Dataset   *catalogv1.Dataset
	Resources []resourceView
	// Preview is the resource shown in the preview (?apercu=<id>, else
	// the last one: the file just uploaded).
	Preview *resourceView
	// Saved says the last change went through.
	Saved string
}

// formFields are the dataset fields the form edits: the update mask.
var formFields = []string{"title", "description", "license", "frequency", "tags", "organization", "private"}

func (p *Portal) formChoices(r *http.Request, sess *session, f *datasetForm) error {
	refs := p.refs(r.Context())
	f.Licenses, f.Frequencies = refs.licenseList, refs.frequencyList
	me, err := p.opts.Catalog.GetMe(sess.asUser(r.Context()), &catalogv1.GetMeRequest{})
	if err != nil {
		return err
	}
	f.Orgs = me.GetUser().GetOrganizations()
	return nil
}

// newDatasetForm is GET /espace/jeux/nouveau/: a private dataset of the
// agent's first organization, annual, under the Licence Ouverte.
func (p *Portal) newDatasetForm(w http.ResponseWriter, r *http.Request, sess *session) {
	f := datasetForm{License: "lov2", Frequency: "annual", Private: true}
	if err := p.formChoices(r, sess, &f); err != nil {
		p.failAgent(w, r, sess, err)
		return
	}
	if len(f.Orgs) > 0 {
		f.Organization = f.Orgs[0].GetId()
	}
	p.render(w, r, http.StatusOK, "dataset_form", page{Title: p.loc.t("dataset.new"), Data: f})
}

// readDatasetForm reads the posted form.
func readDatasetForm(r *http.Request) (datasetForm, *catalogv1.DatasetInput) {
	f := datasetForm{
		Title: strings.TrimSpace(r.PostFormValue("title")), Description: r.PostFormValue("description"),
		License: r.PostFormValue("license"), Frequency: r.PostFormValue("frequency"),
		Tags: r.PostFormValue("tags"), Organization: r.PostFormValue("organization"),
		Private: r.PostFormValue("private") == "on",
	}
	in := &catalogv1.DatasetInput{
		Title: f.Title, Description: f.Description, License: f.License, Frequency: f.Frequency,
		Organization: f.Organization, Private: f.Private, Tags: []string{},
	}
	for _, t := range strings.Split(f.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			in.Tags = append(in.Tags, t)
		}
	}
	return f, in
}

// createDataset is POST /espace/jeux/nouveau/.
func (p *Portal) createDataset(w http.ResponseWriter, r *http.Request, sess *session) {
	f, in := readDatasetForm(r)
	resp, err := p.opts.Catalog.CreateDataset(sess.asUser(r.Context()), &catalogv1.CreateDatasetRequest{Dataset: in})
	if status.Code(err) == codes.InvalidArgument {
		f.Error = p.loc.refusal(err)
		if err := p.formChoices(r, sess, &f); err != nil {
			p.failAgent(w, r, sess, err)
			return
		}
		p.render(w, r, http.StatusBadRequest, "dataset_form", page{Title: p.loc.t("dataset.new"), Data: f})
		return
	}
	if err != nil {
		p.failAgent(w, r, sess, err)
		return
	}
	http.Redirect(w, r, editPath(resp.GetDataset().GetId()), http.StatusSeeOther)
}

func editPath(id string) string { return "/espace/jeux/" + url.PathEscape(id) + "/" }

// refusal is the catalog's message for a refused input.
func (l *locale) refusal(err error) string {
	if msg := status.Convert(err).Message(); msg != "" {
		return l.t("publish.refused", msg)
	}
	return l.t("publish.refused.plain")
}

// editDataset is GET /espace/jeux/{id}/.
func (p *Portal) editDataset(w http.ResponseWriter, r *http.Request, sess *session) {
	p.showEdit(w, r, sess, http.StatusOK, nil, p.loc.savedMessage(r.URL.Query().Get("ok")))
}

func (l *locale) savedMessage(what string) string {
	switch what {
	case "saved":
		return l.t("publish.saved")
	case "published":
		return l.t("publish.published")
	}
	return ""
}

// showEdit renders the edit page; posted is the refused form to show
// again, nil to show the dataset as stored.
func (p *Portal) showEdit(w http.ResponseWriter, r *http.Request, sess *session, code int, posted *datasetForm, saved string) {
	resp, err := p.opts.Catalog.GetDataset(sess.asUser(r.Context()), &catalogv1.GetDatasetRequest{Dataset: r.PathValue("id")})
	if err != nil {
		p.failAgent(w, r, sess, err)
		return
	}
	d := resp.GetDataset()
	if !d.GetPermissions().GetEdit() {
		p.failAgent(w, r, sess, status.Error(codes.PermissionDenied, "edit"))
		return
	}
	data := datasetEdit{Dataset: d, Saved: saved}
	if posted != nil {
		data.Form = *posted
	} else {
		data.Form = datasetForm{
			Title: d.GetTitle(), Description: d.GetDescription(), License: d.GetLicense(), Frequency: d.GetFrequency(),
			Tags: strings.Join(d.GetTags(), ", "), Organization: d.GetOrganization().GetId(), Private: d.GetPrivate(),
		}
	}
	data.Form.ID = d.GetId()
	if err := p.formChoices(r, sess, &data.Form); err != nil {
		p.failAgent(w, r, sess, err)
		return
	}
	for _, res := range d.GetResources() {
		v := resourceView{Resource: res, Latest: "/api/1/datasets/r/" + res.GetId()}
		if s := res.GetSchema(); s.GetName() != "" || s.GetUrl() != "" {
			v.SchemaName = s.GetName()
		}
		data.Resources = append(data.Resources, v)
	}
	for i := range data.Resources {
		if want := r.URL.Query().Get("apercu"); data.Resources[i].GetId() == want || (want == "" && i == len(data.Resources)-1) {
			data.Preview = &data.Resources[i]
		}
	}
	p.render(w, r, code, "dataset_edit", page{Title: "Modifier « " + d.GetTitle() + " »", Data: data,
		Scripts: []string{"publish.js", "preview.js"}})
}

// updateDataset is POST /espace/jeux/{id}/.
func (p *Portal) updateDataset(w http.ResponseWriter, r *http.Request, sess *session) {
	f, in := readDatasetForm(r)
	_, err := p.opts.Catalog.UpdateDataset(sess.asUser(r.Context()), &catalogv1.UpdateDatasetRequest{
		Dataset: r.PathValue("id"), Input: in, UpdateMask: &fieldmaskpb.FieldMask{Paths: formFields},
	})
	if status.Code(err) == codes.InvalidArgument {
		f.Error = p.loc.refusal(err)
		p.showEdit(w, r, sess, http.StatusBadRequest, &f, "")
		return
	}
	if err != nil {
		p.failAgent(w, r, sess, err)
		return
	}
	http.Redirect(w, r, editPath(r.PathValue("id"))+"?ok=saved", http.StatusSeeOther)
}

// publishDataset is POST /espace/jeux/{id}/publier/: private → public.
func (p *Portal) publishDataset(w http.ResponseWriter, r *http.Request, sess *session) {
	_, err := p.opts.Catalog.UpdateDataset(sess.asUser(r.Context()), &catalogv1.UpdateDatasetRequest{
		Dataset: r.PathValue("id"), Input: &catalogv1.DatasetInput{Private: false},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"private"}},
	})
	if err != nil {
		p.failAgent(w, r, sess, err)
		return
	}
	http.Redirect(w, r, editPath(r.PathValue("id"))+"?ok=published", http.StatusSeeOther)
}
