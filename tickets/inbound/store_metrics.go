package inbound

import (
	"context"

	"github.com/supportd/supportd/internal/dbx"
)

// mailboxHealth is one mailbox's state as the metrics report it.
type mailboxHealth struct {
	Name     string
	State    string
	Failures int
}

// mailboxHealth returns every mailbox's name, state and consecutive failures.
func (s *Store) mailboxHealth(ctx context.Context) ([]mailboxHealth, error) {
	var out []mailboxHealth
	err := s.db.WithContext(ctx).Raw(`SELECT name, state, failures FROM mailboxes`).Scan(&out).Error
	return out, dbx.Translate(err, "mailboxes")
}

// messageCounts returns how many stored messages are in each state.
func (s *Store) messageCounts(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		State string
		N     int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT state, count(*) AS n FROM inbound_messages GROUP BY state`).Scan(&rows).Error; err != nil {
		return nil, dbx.Translate(err, "inbound messages")
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}
