package escalation

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/dbx"
	"github.com/supportd/supportd/internal/page"
	"github.com/supportd/supportd/internal/secretbox"
	"gorm.io/gorm"
)

type webhookRow struct {
	ID     uuid.UUID `gorm:"primaryKey"`
	Name   string
	URL    string
	Secret []byte
	Events []string `gorm:"serializer:json"`
	Active bool
	// OrganizationID is the owning customer organisation; nil for a global subscription.
	OrganizationID *uuid.UUID
	CreatedBy      uuid.UUID
	CreatedAt      time.Time
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) toWebhook() Webhook {
	events := r.Events
	if events == nil {
		events = []string{}
	}
	return Webhook{ID: r.ID, Name: r.Name, URL: r.URL, Events: events, OrganizationID: r.OrganizationID, Active: r.Active, CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), SecretEncrypted: secretbox.Sealed(r.Secret)}
}

// findPlainSecrets returns the subscriptions whose secret is not sealed, with it.
func (s *Store) findPlainSecrets(ctx context.Context) ([]webhookRow, error) {
	var rows []webhookRow
	if err := s.db.WithContext(ctx).Where("NOT starts_with(encode(secret, 'escape'), ?)", secretbox.Prefix).Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "webhooks")
	}
	return rows, nil
}

// resealSecret replaces a plain secret by its sealed form, unless the row changed meanwhile.
func (s *Store) resealSecret(ctx context.Context, id uuid.UUID, plain, sealed []byte) (bool, error) {
	res := s.db.WithContext(ctx).Model(&webhookRow{}).Where("id = ? AND secret = ?", id, plain).Update("secret", sealed)
	return res.RowsAffected == 1, dbx.Translate(res.Error, "webhook")
}

func (s *Store) insertWebhook(ctx context.Context, h Webhook, secret []byte) error {
	r := webhookRow{ID: h.ID, Name: h.Name, URL: h.URL, Secret: secret, Events: h.Events, OrganizationID: h.OrganizationID, Active: h.Active,
		CreatedBy: h.CreatedBy, CreatedAt: h.CreatedAt}
	return dbx.Translate(s.db.WithContext(ctx).Create(&r).Error, "webhook")
}

// listWebhooks returns a page of subscriptions, newest first: every one, or only an
// organisation's when org is set.
func (s *Store) listWebhooks(ctx context.Context, org *uuid.UUID, req page.Request) ([]Webhook, error) {
	q := s.db.WithContext(ctx)
	if org != nil {
		q = q.Where("organization_id = ?", *org)
	}
	q, err := dbx.AfterCursor(q, req.Cursor, "created_at", dbx.NewestFirst)
	if err != nil {
		return nil, err
	}
	var rows []webhookRow
	if err := q.Order("created_at DESC, id DESC").Limit(req.Limit + 1).Find(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "webhooks")
	}
	out := make([]Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.toWebhook()
	}
	return out, nil
}

// findWebhookRow returns the subscription with its secret, or not_found.
func (s *Store) findWebhookRow(ctx context.Context, id uuid.UUID) (webhookRow, error) {
	var r webhookRow
	if err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return r, dbx.Translate(err, "webhook")
	}
	return r, nil
}

// deactivateWebhook turns the subscription off and gives up its pending deliveries in one
// transaction, so no sweep starts one after the subscription is off. A delivery already in
// flight may still land: that is the at-least-once side of the outbox.
func (s *Store) deactivateWebhook(ctx context.Context, id uuid.UUID) error {
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Model(&webhookRow{}).Where("id = ?", id).Update("active", false)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return gorm.ErrRecordNotFound
		}
		return tx.Model(&notificationRow{}).Where("webhook_id = ? AND state = ?", id, statePending).
			Updates(map[string]any{"state": stateFailed, "last_error": "webhook deactivated"}).Error
	})
	return dbx.Translate(err, "webhook")
}
