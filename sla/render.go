package sla

import (
	"strconv"
	"strings"
	"time"
)

// lines appends the text of s to out (see Explanation.Lines).
func (s Step) lines(out []string) []string {
	switch s.Kind {
	case StepPolicy:
		var b strings.Builder
		b.WriteString("policy " + string(s.Tier()) + " v" + strconv.Itoa(int(s.Version)) +
			", severity " + strconv.Itoa(s.Severity) + ", " + string(s.Target()) + ": ")
		if s.Days > 0 {
			b.WriteString(strconv.Itoa(s.Days) + " business day")
			if s.Days > 1 {
				b.WriteString("s")
			}
			b.WriteString(" = " + FormatDuration(s.Counted) + " of open time")
		} else {
			b.WriteString(FormatDuration(s.Counted))
		}
		b.WriteString(" on " + s.Note)
		return append(out, b.String(), formatInstant(s.From)+": counting starts ("+s.Reason()+")")
	case StepOpen:
		line := formatRange(s.From, s.To) + ": " + FormatDuration(s.Counted) + " counted"
		if s.Left > 0 {
			line += ", " + FormatDuration(s.Left) + " left"
		}
		if s.Note != "" {
			line += " (" + s.Note + ")"
		}
		if s.Left == 0 {
			return append(out, line, "due "+formatInstant(s.To))
		}
		return append(out, line)
	case StepClosed:
		last := s.To.Add(-time.Nanosecond)
		dates := s.From.Format("Mon 2006-01-02")
		if last.YearDay() != s.From.YearDay() || last.Year() != s.From.Year() {
			dates += " – " + last.Format("Mon 2006-01-02")
		}
		return append(out, dates+" closed: "+s.Note+", skipped")
	case StepPause:
		return append(out, formatInstant(s.From)+": paused ("+s.Note+"), "+FormatDuration(s.Left)+" left")
	case StepResume:
		if s.Left == 0 {
			return append(out, formatInstant(s.From)+": resumed ("+s.Note+")")
		}
		return append(out, formatInstant(s.From)+": resumed ("+s.Note+"), "+FormatDuration(s.Left)+" left")
	case StepReplan:
		return append(out, formatInstant(s.From)+": severity changed to "+strconv.Itoa(s.Severity)+", planned again from here")
	case StepAgreed:
		return append(out, formatInstant(s.From)+": resolution agreed for "+formatInstant(s.To), "due "+formatInstant(s.To))
	case StepMet:
		return append(out, formatInstant(s.From)+": met ("+s.Note+")")
	case StepBreached:
		return append(out, formatInstant(s.From)+": breached ("+s.Note+")")
	case StepEscalated:
		return append(out, formatInstant(s.From)+": escalated ("+causeText[Cause(s.Note)]+")")
	case StepCancelled:
		line := formatInstant(s.From) + ": cancelled (" + s.Note + ")"
		if s.Left > 0 {
			line += ", " + FormatDuration(s.Left) + " left"
		}
		return append(out, line)
	}
	return append(out, s.Kind.String()+" "+s.Note)
}

var causeText = map[Cause]string{CauseDeadline: "deadline reached", CauseRequest: "customer request",
	CauseHigherLevel: "a higher level was reached first"}

// FormatDuration renders d compactly for people: "8h30m", "7h", "2s",
// "1h0m5s" becomes "1h5s". Go's time.ParseDuration reads the result back.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b []byte
	if d < 0 {
		b = append(b, '-')
		d = -d
	}
	h, m := d/time.Hour, d%time.Hour/time.Minute
	sec := d % time.Minute
	if h > 0 {
		b = strconv.AppendInt(b, int64(h), 10)
		b = append(b, 'h')
	}
	if m > 0 {
		b = strconv.AppendInt(b, int64(m), 10)
		b = append(b, 'm')
	}
	if sec > 0 {
		if sec%time.Second == 0 {
			b = strconv.AppendInt(b, int64(sec/time.Second), 10)
			b = append(b, 's')
		} else {
			b = append(b, sec.String()...)
		}
	}
	return string(b)
}

// formatInstant renders t in its own zone, with seconds only when present.
func formatInstant(t time.Time) string {
	if t.Second() != 0 || t.Nanosecond() != 0 {
		return t.Format("Mon 2006-01-02 15:04:05 MST")
	}
	return t.Format("Mon 2006-01-02 15:04 MST")
}

// formatRange renders "Fri 2026-11-20 16:00–17:30 JST" for a range within
// one date, "…–24:00 JST" for one ending at the next midnight, and two full
// instants otherwise.
func formatRange(from, to time.Time) string {
	clock := "15:04"
	if from.Second() != 0 || to.Second() != 0 || from.Nanosecond() != 0 || to.Nanosecond() != 0 {
		clock = "15:04:05"
	}
	if from.Year() == to.Year() && from.YearDay() == to.YearDay() {
		return from.Format("Mon 2006-01-02 "+clock) + "–" + to.Format(clock+" MST")
	}
	fy, fm, fd := from.Date()
	ny, nm, nd := time.Date(fy, fm, fd+1, 0, 0, 0, 0, time.UTC).Date()
	if ty, tm, td := to.Date(); ty == ny && tm == nm && td == nd &&
		to.Hour() == 0 && to.Minute() == 0 && to.Second() == 0 && to.Nanosecond() == 0 {
		return from.Format("Mon 2006-01-02 "+clock) + "–24:00 " + to.Format("MST")
	}
	return formatInstant(from) + " – " + formatInstant(to)
}
