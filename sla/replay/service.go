package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/accounts"
	"github.com/supportd/supportd/internal/apperr"
	"github.com/supportd/supportd/internal/clock"
	"github.com/supportd/supportd/sla"
	"github.com/supportd/supportd/tickets"
)

// Catalog is what a replay needs of the policy and calendar catalogue (sla/catalog.Catalog).
type Catalog interface {
	Policy(ctx context.Context, tier sla.Tier, version int) (sla.Policy, error)
	Calendars(ctx context.Context) (sla.Calendars, error)
	DraftPolicy(ctx context.Context, tier sla.Tier, raw json.RawMessage) (sla.Policy, bool, error)
	DraftCalendar(ctx context.Context, p sla.Policy, cals sla.Calendars, raw json.RawMessage) (sla.Policy, sla.Calendars, error)
}

// Request is POST /v1/sla/replay.
type Request struct {
	From, To       time.Time
	Tier           string
	Severity       int
	OrganizationID *uuid.UUID
	Product        string
	// Policy is a version number or {"cells": [...]} for Tier (required with it); empty: each
	// tier's current policy.
	Policy json.RawMessage
	// Calendar is a calendar name or object every business clock of the draft runs on.
	Calendar json.RawMessage
	// Background runs the replay as a job even when it is small.
	Background bool
	// MaxChanges bounds the changed incidents listed in detail (default 100, at most 1,000).
	MaxChanges int
}

// Defaults and bounds of a replay.
const (
	// InlineLimit: a replay of at most this many incidents answers at once; a larger one (or
	// one asked with background) runs as a job polled at GET /v1/sla/replays/{id}.
	InlineLimit       = 5000
	defaultMaxChanges = 100
	maxMaxChanges     = 1000
	// staleAfter: a running replay whose progress has not moved for this long lost its process.
	staleAfter     = time.Minute
	progressEvery  = time.Second
	jobTimeout     = time.Hour
	maxReplayRange = 10 * 366 * 24 * time.Hour
)

// Service starts replays and reports on them. Support managers and admins only.
type Service struct {
	st    *Store
	src   Source
	cat   Catalog
	clock clock.Clock
	log   *slog.Logger
	jobs  sync.WaitGroup
}

// NewService returns the replay service: src reads incidents, st holds sla_replays. It panics
// when c or log is nil: both are injected by the composition root, never defaulted here.
func NewService(st *Store, src Source, cat Catalog, c clock.Clock, log *slog.Logger) *Service {
	if c == nil {
		panic("replay.NewService: clock is required")
	}
	if log == nil {
		panic("replay.NewService: log is required")
	}
	return &Service{st: st, src: src, cat: cat, clock: c, log: log}
}

var errForbidden = apperr.New(apperr.Forbidden, "forbidden", "replays are for support managers and admins")

func mayReplay(u accounts.User) bool {
	return u.Role == accounts.SupportManager || u.Role == accounts.Admin
}

// Start validates req, resolves the draft and counts the incidents. A replay of at most
// InlineLimit incidents runs now and its finished Report is returned with inline true; a larger
// one (or req.Background) runs in the background: the Report is "running" and GET shows its
// progress. Errors: forbidden, invalid_value naming the field.
func (s *Service) Start(ctx context.Context, actor accounts.User, req Request) (Report, bool, error) {
	if !mayReplay(actor) {
		return Report{}, false, errForbidden
	}
	setup, based, stored, err := s.prepare(ctx, req)
	if err != nil {
		return Report{}, false, err
	}
	f := tickets.HistoryFilter{From: req.From, To: req.To, Tier: req.Tier, Severity: req.Severity,
		OrganizationID: req.OrganizationID, Product: req.Product}
	total, err := s.src.CountStreamHistories(ctx, f)
	if err != nil {
		return Report{}, false, err
	}
	raw, err := json.Marshal(stored)
	if err != nil {
		return Report{}, false, err
	}
	now := s.clock.Now()
	row := replayRow{ID: uuid.Must(uuid.NewV7()), RequestedBy: actor.ID, Request: raw, State: "running", Total: total,
		CreatedAt: now, UpdatedAt: now}
	if err := s.st.create(ctx, row); err != nil {
		return Report{}, false, err
	}
	if total <= InlineLimit && !req.Background {
		s.run(ctx, row.ID, f, setup, based, total)
		rep, err := s.report(ctx, row.ID)
		return rep, true, err
	}
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jobTimeout)
		defer cancel()
		s.run(jctx, row.ID, f, setup, based, total)
	}()
	rep, err := s.report(ctx, row.ID)
	return rep, false, err
}

// Wait blocks until every background replay of this process has finished (tests, shutdown).
func (s *Service) Wait() { s.jobs.Wait() }

// run replays and stores the outcome; a failure is stored as the replay's error.
func (s *Service) run(ctx context.Context, id uuid.UUID, f tickets.HistoryFilter, setup Setup, based map[string]int, total int) {
	last := s.clock.Now()
	res, err := Run(ctx, s.src, f, setup, func(done int) {
		if now := s.clock.Now(); now.Sub(last) >= progressEvery {
			last = now
			if err := s.st.progress(ctx, id, done, now); err != nil {
				s.log.Warn("replay progress", "replay", id, "err", err)
			}
		}
	})
	now := s.clock.Now()
	if err != nil {
		s.log.Error("replay failed", "replay", id, "err", err)
		if err := s.st.finish(context.WithoutCancel(ctx), id, 0, nil, err.Error(), now); err != nil {
			s.log.Error("replay: storing the failure", "replay", id, "err", err)
		}
		return
	}
	raw, err := json.Marshal(NewAnswer(res, setup.Now, based))
	if err == nil {
		err = s.st.finish(context.WithoutCancel(ctx), id, res.Incidents, raw, "", now)
	}
	if err != nil {
		s.log.Error("replay: storing the result", "replay", id, "err", err)
	}
}

// prepare checks the request and builds the plans' setup: the draft policy of each tier
// replayed, on the current calendars or the draft calendar.
func (s *Service) prepare(ctx context.Context, req Request) (Setup, map[string]int, StoredRequest, error) {
	st := StoredRequest{From: req.From, To: req.To, Tier: req.Tier, Severity: req.Severity, OrganizationID: req.OrganizationID,
		Product: req.Product, Policy: rawOrNil(req.Policy), Calendar: rawOrNil(req.Calendar), Background: req.Background, MaxChanges: req.MaxChanges}
	switch {
	case req.From.IsZero():
		return Setup{}, nil, st, apperr.InvalidField("from", "from is required (RFC 3339)")
	case req.To.IsZero():
		return Setup{}, nil, st, apperr.InvalidField("to", "to is required (RFC 3339)")
	case !req.To.After(req.From):
		return Setup{}, nil, st, apperr.InvalidField("to", "to must be after from")
	case req.To.Sub(req.From) > maxReplayRange:
		return Setup{}, nil, st, apperr.InvalidField("to", "a replay covers at most ten years")
	case req.Severity < 0 || req.Severity > 4:
		return Setup{}, nil, st, apperr.InvalidField("severity", "severity must be 1, 2, 3 or 4")
	case req.MaxChanges < 0 || req.MaxChanges > maxMaxChanges:
		return Setup{}, nil, st, apperr.InvalidField("max_changes", "max_changes must be between 1 and %d", maxMaxChanges)
	}
	if st.MaxChanges == 0 {
		st.MaxChanges = defaultMaxChanges
	}
	tiers := sla.Tiers
	if req.Tier != "" {
		t, err := sla.ParseTier(req.Tier)
		if err != nil {
			return Setup{}, nil, st, apperr.InvalidField("tier", "tier must be standard, premium or platinum")
		}
		tiers = []sla.Tier{t}
	} else if hasValue(req.Policy) {
		return Setup{}, nil, st, apperr.InvalidField("tier", "a draft policy or version is one tier's: name the tier")
	}
	cals, err := s.cat.Calendars(ctx)
	if err != nil {
		return Setup{}, nil, st, err
	}
	setup := Setup{Now: s.clock.Now(), Calendars: cals, DraftCalendars: cals,
		Draft: map[sla.Tier]sla.Policy{}, MaxChanges: st.MaxChanges}
	based := map[string]int{}
	for _, t := range tiers {
		p, _, err := s.cat.DraftPolicy(ctx, t, req.Policy)
		if err != nil {
			return Setup{}, nil, st, err
		}
		based[string(t)] = p.Version
		p, dcals, err := s.cat.DraftCalendar(ctx, p, cals, req.Calendar)
		if err != nil {
			return Setup{}, nil, st, err
		}
		if err := p.Validate(dcals.Has); err != nil {
			return Setup{}, nil, st, apperr.InvalidField("policy", "%v", err)
		}
		setup.Draft[t], setup.DraftCalendars = p, dcals
	}
	cat := s.cat
	setup.Recorded = func(tier sla.Tier, version int) (sla.Policy, error) {
		// The catalogue caches versions; a replay reads each one once per worker.
		return cat.Policy(context.WithoutCancel(ctx), tier, version)
	}
	return setup, based, st, nil
}

func hasValue(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && string(raw) != "null"
}

func rawOrNil(raw json.RawMessage) any {
	if !hasValue(raw) {
		return nil
	}
	return raw
}

// Get returns a replay with its progress, or its result once done. A running replay whose
// progress has not moved for a minute lost the process running it and shows as failed.
// Errors: forbidden, not_found.
func (s *Service) Get(ctx context.Context, actor accounts.User, id uuid.UUID) (Report, error) {
	if !mayReplay(actor) {
		return Report{}, errForbidden
	}
	return s.report(ctx, id)
}

func (s *Service) report(ctx context.Context, id uuid.UUID) (Report, error) {
	r, err := s.st.find(ctx, id)
	if err != nil {
		return Report{}, err
	}
	rep := Report{ID: r.ID, State: r.State, Error: r.Error, Progress: Progress{Done: r.Done, Total: r.Total},
		CreatedAt: r.CreatedAt.UTC(), FinishedAt: r.FinishedAt}
	if err := json.Unmarshal(r.Request, &rep.Request); err != nil {
		return Report{}, fmt.Errorf("replay %s: stored request: %w", id, err)
	}
	if len(r.Result) > 0 {
		rep.Result = &Answer{}
		if err := json.Unmarshal(r.Result, rep.Result); err != nil {
			return Report{}, fmt.Errorf("replay %s: stored result: %w", id, err)
		}
	}
	if r.State == "running" && s.clock.Now().Sub(r.UpdatedAt) > staleAfter {
		rep.State, rep.Error = "failed", "interrupted: the process running this replay stopped; start it again"
	}
	return rep, nil
}
