package portal

// routeAgents adds the pages of agents publishing data: sign-in and out,
// their datasets (create, edit, upload, publish), their API tokens and
// their organizations' members. Addresses are in French, as the public
// pages' words are.
func (p *Portal) routeAgents() {
	p.mux.HandleFunc("GET /connexion/{$}", p.signInForm)
	p.mux.HandleFunc("POST /connexion/{$}", p.signIn)
	p.mux.HandleFunc("POST /deconnexion/{$}", p.signedIn(p.signOut))
	p.mux.HandleFunc("GET /espace/{$}", p.signedIn(p.accountHome))
	p.mux.HandleFunc("GET /espace/jeux/nouveau/{$}", p.signedIn(p.newDatasetForm))
	p.mux.HandleFunc("POST /espace/jeux/nouveau/{$}", p.signedIn(p.createDataset))
	p.mux.HandleFunc("GET /espace/jeux/{id}/{$}", p.signedIn(p.editDataset))
	p.mux.HandleFunc("POST /espace/jeux/{id}/{$}", p.signedIn(p.updateDataset))
	p.mux.HandleFunc("POST /espace/jeux/{id}/publier/{$}", p.signedIn(p.publishDataset))
	p.mux.HandleFunc("GET /espace/jetons/{$}", p.signedIn(p.tokensList))
	p.mux.HandleFunc("POST /espace/jetons/{$}", p.signedIn(p.createToken))
	p.mux.HandleFunc("POST /espace/jetons/{id}/revoquer/{$}", p.signedIn(p.revokeToken))
	p.mux.HandleFunc("GET /espace/organisations/{org}/membres/{$}", p.signedIn(p.membersList))
	p.mux.HandleFunc("POST /espace/organisations/{org}/membres/{$}", p.signedIn(p.addMember))
	p.mux.HandleFunc("POST /espace/organisations/{org}/membres/{user}/{$}", p.signedIn(p.changeMember))
	p.mux.HandleFunc("/espace/api/", p.relayAPI)
}
