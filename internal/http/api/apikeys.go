package api

import (
	"net/http"

	"gridgov/internal/apperr"
	"gridgov/internal/citizen"
	"gridgov/internal/http/httpx"
)

// citizenRoutes are the Open311 API keys (apikey.manage) and the
// moderation of citizen reports (case.moderate). They answer not_found
// when the server runs without the citizen intake.
func (a *api) citizenRoutes() []route {
	return []route{
		{Method: "GET", Path: "/apikeys", Handler: a.listAPIKeysHandler},
		{Method: "POST", Path: "/apikeys", Handler: a.createAPIKeyHandler},
		{Method: "DELETE", Path: "/apikeys/{id}", Handler: a.revokeAPIKeyHandler},
		{Method: "PUT", Path: "/cases/{id}/moderation", Handler: a.moderateHandler},
	}
}

func (a *api) needCitizen() error {
	if a.Citizen == nil {
		return apperr.New(apperr.NotFound, "the citizen intake is not enabled")
	}
	return nil
}

func (a *api) listAPIKeysHandler(w http.ResponseWriter, r *http.Request) error {
	if err := a.needCitizen(); err != nil {
		return err
	}
	keys, err := a.Citizen.Keys(r.Context())
	if err != nil {
		return err
	}
	return ok(w, newList(keys, len(keys)))
}

// createdKey is an issued key with its secret, shown this once.
type createdKey struct {
	citizen.APIKey
	Key string `json:"key"`
}

func (a *api) createAPIKeyHandler(w http.ResponseWriter, r *http.Request) error {
	if err := a.needCitizen(); err != nil {
		return err
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	k, secret, err := a.Citizen.CreateKey(r.Context(), in.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return created(w, createdKey{APIKey: k, Key: secret})
}

func (a *api) revokeAPIKeyHandler(w http.ResponseWriter, r *http.Request) error {
	if err := a.needCitizen(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.Citizen.RevokeKey(r.Context(), id); err != nil {
		return err
	}
	return noContent(w)
}

func (a *api) moderateHandler(w http.ResponseWriter, r *http.Request) error {
	if err := a.needCitizen(); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in citizen.Moderation
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	q, err := a.Citizen.Moderate(r.Context(), id, in)
	if err != nil {
		return err
	}
	return ok(w, q)
}
