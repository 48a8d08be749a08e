// Package mailmsg reads and writes the e-mail that customers and supportd exchange: it parses a
// raw message into what the engine needs (addresses, decoded subject, threading headers, a text
// body with the quoted history stripped, attachments), classifies automatic mail and loops so
// that nothing answers an autoresponder, extracts the keys that thread a reply into its incident,
// and composes outgoing notifications that threads and filters on the customer's side recognise.
//
// It does no I/O beyond the bytes it is given: storing, fetching and sending belong to its callers.
package mailmsg
