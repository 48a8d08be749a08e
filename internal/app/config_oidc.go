package app

import (
	"fmt"
	"net/url"
)

// OIDCConfig is staff sign-in through an OpenID Connect provider; off while Issuer is empty.
type OIDCConfig struct {
	Issuer, ClientID, ClientSecret, RedirectURL string
}

func init() {
	Vars = append(Vars,
		Var{"OIDC_ISSUER", "", "Issuer URL of an OpenID Connect provider with discovery (e.g. `https://accounts.google.com`); set: staff may sign in through it. Unset: off."},
		Var{"OIDC_CLIENT_ID", "", "Client ID registered with the OIDC provider (required with OIDC_ISSUER)."},
		Var{"OIDC_CLIENT_SECRET", "", "Client secret registered with the OIDC provider (empty for a public client; PKCE is always used)."},
		Var{"OIDC_REDIRECT_URL", "", "Redirect URL registered with the provider; unset: PUBLIC_URL + `/signin/oidc/callback`."},
	)
}

func oidcFromEnv(get func(string) string) (OIDCConfig, error) {
	o := OIDCConfig{Issuer: get("OIDC_ISSUER"), ClientID: get("OIDC_CLIENT_ID"), ClientSecret: get("OIDC_CLIENT_SECRET"),
		RedirectURL: get("OIDC_REDIRECT_URL")}
	if o.Issuer == "" {
		return o, nil
	}
	if u, err := url.Parse(o.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return o, fmt.Errorf("OIDC_ISSUER: want an http(s) URL, got %q", o.Issuer)
	}
	if o.ClientID == "" {
		return o, fmt.Errorf("OIDC_CLIENT_ID: required with OIDC_ISSUER")
	}
	if o.RedirectURL != "" {
		if u, err := url.Parse(o.RedirectURL); err != nil || !u.IsAbs() {
			return o, fmt.Errorf("OIDC_REDIRECT_URL: want an absolute URL, got %q", o.RedirectURL)
		}
	}
	return o, nil
}
