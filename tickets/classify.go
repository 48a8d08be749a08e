package tickets

import "strings"

// classification is the severity intake settles on, and what the customer asked for when that
// differs and needs an engineer's confirmation.
type classification struct {
	Severity             int
	Requested            *int
	ConfirmationRequired bool
	Reason               string // why the requested severity was not taken as given
}

// classify applies SPEC §2's intake rules to the requested severity (nil when not given):
//   - no severity → 3;
//   - e-mail intake is severity 3 except a request for 4; a request for 1 or 2 by e-mail is kept
//     as requested and must be confirmed by an engineer (by phone) before it counts;
//   - a request for 1 or 2 with no description is "too little information": severity 3 until an
//     engineer confirms, for the same reason.
func classify(channel Channel, requested *int, description string) classification {
	if requested == nil {
		return classification{Severity: 3}
	}
	sev := *requested
	critical := sev == 1 || sev == 2
	switch {
	case channel == ChannelEmail && critical:
		return classification{Severity: 3, Requested: &sev, ConfirmationRequired: true, Reason: "email_intake"}
	case channel == ChannelEmail && sev == 4:
		return classification{Severity: 4}
	case channel == ChannelEmail:
		return classification{Severity: 3}
	case critical && strings.TrimSpace(description) == "":
		return classification{Severity: 3, Requested: &sev, ConfirmationRequired: true, Reason: "insufficient_information"}
	}
	return classification{Severity: sev}
}
