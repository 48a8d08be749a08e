package api

// listPage is the envelope of every paged list: the items and, when there are more, the cursor
// of the next page. Its fields are in the order a map of them encoded in, so answers stay
// byte-for-byte what they were.
type listPage[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next_cursor,omitempty"`
}

// mapEach converts each item; nil stays nil, so an empty list encodes as it did before.
func mapEach[D, W any](in []D, to func(D) W) []W {
	if in == nil {
		return nil
	}
	out := make([]W, len(in))
	for i, x := range in {
		out[i] = to(x)
	}
	return out
}

// paged builds a page of wire items.
func paged[D, W any](in []D, next string, to func(D) W) listPage[W] {
	return listPage[W]{Items: mapEach(in, to), Next: next}
}

// itemsOnly is the envelope of an unpaged list.
type itemsOnly[T any] struct {
	Items []T `json:"items"`
}

// healthWire is a liveness or readiness answer.
type healthWire struct {
	Checks map[string]string `json:"checks,omitzero"`
	Status string            `json:"status" enum:"ok|unavailable"`
}
