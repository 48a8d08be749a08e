package escalation

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Webhook signature headers. The signature covers the timestamp and the body, so a captured
// request cannot be replayed later with a new timestamp.
const (
	HeaderSignature = "X-Supportd-Signature"
	HeaderTimestamp = "X-Supportd-Timestamp"
	HeaderDelivery  = "X-Supportd-Delivery"
)

// Sign returns "sha256=<hex>" of HMAC-SHA256(secret, timestamp + "." + body).
func Sign(secret []byte, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// WebhookSender posts signed JSON to an endpoint.
type WebhookSender struct {
	Client *http.Client
}

// Send delivers one webhook. Any status outside 2xx is an error, so the caller retries.
func (w WebhookSender) Send(ctx context.Context, url string, secret []byte, deliveryID string, body []byte, now time.Time) error {
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := now.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "supportd-webhook/1")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(secret, ts, body))
	req.Header.Set(HeaderDelivery, deliveryID)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("webhook %s answered %d", url, res.StatusCode)
	}
	return nil
}
