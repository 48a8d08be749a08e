package web_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// provider is a small OpenID Connect provider: discovery, JWKS, an authorization endpoint that
// signs in whoever the test says is signed in there, and a token endpoint that checks the client
// secret and the PKCE verifier and returns an ID token signed with RS256. It is a real HTTP
// server written from the specifications, so the sign-in is tested against the protocol, not
// against the client library's idea of it.
type provider struct {
	*httptest.Server
	t      *testing.T
	key    *rsa.PrivateKey
	kid    string
	client string
	secret string

	mu sync.Mutex
	// Who is signed in at the provider and what it claims.
	email    string
	verified *bool
	// Tampering, to prove the relying party checks: another nonce, another signing key, another audience.
	nonce    string
	signer   *rsa.PrivateKey
	audience string
	codes    map[string]grant
	// pkce counts token requests whose code_verifier matched the S256 challenge.
	pkce int
}

type grant struct {
	nonce, challenge, redirect string
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func newProvider(t *testing.T) *provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{t: t, key: key, kid: "k1", client: "supportd-web", secret: "provider-secret-123", codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"issuer": p.URL, "authorization_endpoint": p.URL + "/authorize", "token_endpoint": p.URL + "/token",
			"jwks_uri": p.URL + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"keys": []any{map[string]any{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": p.kid,
			"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
	})
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	return p
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (p *provider) signIn(email string, verified *bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.email, p.verified = email, verified
}

func (p *provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != p.client || q.Get("response_type") != "code" || !strings.Contains(q.Get("scope"), "openid") ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		http.Error(w, "bad authorization request: "+r.URL.RawQuery, http.StatusBadRequest)
		return
	}
	code := b64(sha256.New().Sum([]byte(q.Get("state") + time.Now().String())))[:32]
	p.mu.Lock()
	p.codes[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	p.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	g, found := p.codes[r.PostForm.Get("code")]
	delete(p.codes, r.PostForm.Get("code")) // single use
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case id != p.client || secret != p.secret:
		w.WriteHeader(401)
		writeJSON(w, map[string]string{"error": "invalid_client"})
		return
	case !found || r.PostForm.Get("grant_type") != "authorization_code" || r.PostForm.Get("redirect_uri") != g.redirect:
		w.WriteHeader(400)
		writeJSON(w, map[string]string{"error": "invalid_grant"})
		return
	case b64(sum[:]) != g.challenge:
		w.WriteHeader(400)
		writeJSON(w, map[string]string{"error": "invalid_grant", "error_description": "PKCE verification failed"})
		return
	}
	p.pkce++
	now := time.Now()
	claims := map[string]any{"iss": p.URL, "sub": "sub-" + p.email, "aud": p.client, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"nonce": g.nonce, "email": p.email}
	if p.verified != nil {
		claims["email_verified"] = *p.verified
	}
	if p.nonce != "" {
		claims["nonce"] = p.nonce
	}
	if p.audience != "" {
		claims["aud"] = p.audience
	}
	key := p.key
	if p.signer != nil {
		key = p.signer
	}
	writeJSON(w, map[string]any{"access_token": "at-" + b64([]byte(p.email)), "token_type": "Bearer", "expires_in": 300,
		"id_token": signRS256(p.t, key, p.kid, claims)})
}

// signRS256 makes a compact JWS (RFC 7515) with RSASSA-PKCS1-v1_5 over SHA-256.
func signRS256(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid})
	c, _ := json.Marshal(claims)
	input := b64(h) + "." + b64(c)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

func mustURL(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u
}

func cookieNames(cs []*http.Cookie) string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return strings.Join(names, ",")
}
