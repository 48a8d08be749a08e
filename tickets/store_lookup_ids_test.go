package tickets_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/google/uuid"
	"github.com/supportd/supportd/internal/testenv"
	"github.com/supportd/supportd/tickets"
)

// TestFindIncidentsByID: the incidents asked for come back by ID as Get reads them, whatever
// their organisation; unknown IDs are left out and nothing asked reads nothing.
func TestFindIncidentsByID(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, _, err := f.svc.Open(ctx, f.memberA, tickets.NewIncident{Product: "endpoint", Title: "a", Description: "d", Severity: sev(2)}, "")
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := f.svc.Open(ctx, f.memberB, tickets.NewIncident{Product: "endpoint", Title: "b", Description: "d"}, "")
	if err != nil {
		t.Fatal(err)
	}
	store := tickets.NewStore(testenv.DB(t))
	missing := uuid.New()
	got, err := store.FindIncidentsByID(ctx, []uuid.UUID{a.ID, b.ID, missing, a.ID})
	if err != nil || len(got) != 2 {
		t.Fatalf("%d incidents, %v; want 2", len(got), err)
	}
	for _, want := range []tickets.Incident{a, b} {
		one, err := store.FindIncidentByID(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[want.ID], one) {
			t.Fatalf("%s:\n%+v\nwant as FindIncidentByID reads it:\n%+v", want.Reference, got[want.ID], one)
		}
	}
	if _, ok := got[missing]; ok {
		t.Fatal("an unknown ID was found")
	}
	if none, err := store.FindIncidentsByID(ctx, nil); err != nil || none == nil || len(none) != 0 {
		t.Fatalf("nothing asked: %v %v, want an empty map", none, err)
	}
}
