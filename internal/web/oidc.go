package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gofiber/fiber/v2"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"golang.org/x/oauth2"
)

// OIDCConfig is staff sign-in through any OpenID Connect provider with discovery. Sign-in is
// offered when Issuer and ClientID are set.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is registered with the provider; default: PublicURL + /signin/oidc/callback.
	RedirectURL string
	// HTTPClient reaches the provider (nil: a client with a 15 s timeout).
	HTTPClient *http.Client
}

// oidcClient discovers the provider on first use (so a provider that is down at start does not
// stop the server) and keeps what it learned.
type oidcClient struct {
	cfg OIDCConfig

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	oauth    *oauth2.Config
}

const (
	oidcCookie = "supportd_oidc"
	oidcTTL    = 10 * time.Minute
)

func newOIDC(cfg OIDCConfig, publicURL string) *oidcClient {
	if cfg.Issuer == "" || cfg.ClientID == "" {
		return nil
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.RedirectURL == "" {
		cfg.RedirectURL = strings.TrimRight(publicURL, "/") + "/signin/oidc/callback"
	}
	return &oidcClient{cfg: cfg}
}

// ctx makes go-oidc and oauth2 reach the provider through the configured client.
func (o *oidcClient) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(context.WithValue(ctx, oauth2.HTTPClient, o.cfg.HTTPClient), o.cfg.HTTPClient)
}

// discover reads the provider's discovery document once it answers.
func (o *oidcClient) discover(ctx context.Context) (*oauth2.Config, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.oauth != nil {
		return o.oauth, o.verifier, nil
	}
	// The provider keeps this context to fetch rotated signing keys later: it must outlive the
	// request (the client's timeout bounds each call).
	p, err := oidc.NewProvider(o.ctx(context.WithoutCancel(ctx)), o.cfg.Issuer)
	if err != nil {
		return nil, nil, apperr.Wrap(err, "OIDC discovery")
	}
	o.verifier = p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID})
	o.oauth = &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: o.cfg.RedirectURL, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
	return o.oauth, o.verifier, nil
}

// oidcStart sends the browser to the provider with a fresh state, nonce and PKCE verifier, kept
// in a short-lived HttpOnly cookie that the callback must present.
func (s *Server) oidcStart(c *fiber.Ctx) error {
	if s.oidc == nil {
		return apperr.NotFoundf("OIDC sign-in is not configured")
	}
	conf, _, err := s.oidc.discover(c.UserContext())
	if err != nil {
		return err
	}
	state, nonce, verifier := randomString(24), randomString(24), oauth2.GenerateVerifier()
	next := localPath(c.Query("next", "/"))
	v := url.Values{"s": {state}, "n": {nonce}, "v": {verifier}, "next": {next}}
	s.setCookie(c, oidcCookie, v.Encode(), s.deps.Clock.Now().Add(oidcTTL))
	return c.Redirect(conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), fiber.StatusSeeOther)
}

var errOIDC = errors.New("oidc sign-in refused")

// oidcCallback finishes the sign-in: the state must match the cookie's, the code is exchanged
// with the PKCE verifier, the ID token's signature, issuer, audience, expiry and nonce are
// verified, and its verified e-mail address must belong to an active staff user.
func (s *Server) oidcCallback(c *fiber.Ctx) error {
	if s.oidc == nil {
		return apperr.NotFoundf("OIDC sign-in is not configured")
	}
	raw := c.Cookies(oidcCookie)
	s.clearCookie(c, oidcCookie)
	saved, _ := url.ParseQuery(raw)
	u, secret, sess, err := s.oidcFinish(c, saved)
	if err != nil {
		s.deps.Log.Info("oidc sign-in refused", "err", err, "request_id", c.Locals("requestid"))
		p := s.page(c, "", "signin.title", signinData{Next: "/", OIDC: true})
		p.Error = "error.oidc"
		if apperr.Is(err, "oidc_no_staff_user") {
			p.Error = "error.oidc_no_staff_user"
		}
		return s.show(c, fiber.StatusUnauthorized, "signin", p)
	}
	s.started(c, secret, sess)
	return c.Redirect(s.home(u, localPath(saved.Get("next"))), fiber.StatusSeeOther)
}

func (s *Server) oidcFinish(c *fiber.Ctx, saved url.Values) (accounts.User, string, accounts.Session, error) {
	var none accounts.User
	state, nonce, verifier := saved.Get("s"), saved.Get("n"), saved.Get("v")
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(c.Query("state"))) != 1 {
		return none, "", accounts.Session{}, fmt.Errorf("%w: state does not match", errOIDC)
	}
	if e := c.Query("error"); e != "" {
		return none, "", accounts.Session{}, fmt.Errorf("%w: provider answered %s", errOIDC, e)
	}
	conf, verify, err := s.oidc.discover(c.UserContext())
	if err != nil {
		return none, "", accounts.Session{}, err
	}
	ctx, cancel := context.WithTimeout(s.oidc.ctx(c.UserContext()), 15*time.Second)
	defer cancel()
	tok, err := conf.Exchange(ctx, c.Query("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return none, "", accounts.Session{}, fmt.Errorf("%w: code exchange: %v", errOIDC, err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return none, "", accounts.Session{}, fmt.Errorf("%w: no id_token", errOIDC)
	}
	id, err := verify.Verify(ctx, rawID)
	if err != nil {
		return none, "", accounts.Session{}, fmt.Errorf("%w: %v", errOIDC, err)
	}
	if subtle.ConstantTimeCompare([]byte(id.Nonce), []byte(nonce)) != 1 || nonce == "" {
		return none, "", accounts.Session{}, fmt.Errorf("%w: nonce does not match", errOIDC)
	}
	var claims struct {
		Email    string `json:"email"`
		Verified *bool  `json:"email_verified"`
	}
	if err := id.Claims(&claims); err != nil {
		return none, "", accounts.Session{}, fmt.Errorf("%w: claims: %v", errOIDC, err)
	}
	// A provider that says the address is unverified proves nothing about who holds it.
	if claims.Email == "" || (claims.Verified != nil && !*claims.Verified) {
		return none, "", accounts.Session{}, fmt.Errorf("%w: no verified e-mail address", errOIDC)
	}
	return s.deps.Accounts.SignInVerified(c.UserContext(), claims.Email, s.client(c), s.deps.Sessions)
}
