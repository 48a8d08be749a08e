package escalation

import (
	"fmt"
	"strings"

	"github.com/supportd/supportd/tickets"
)

// text is a notification's subject and plain-text body in one language.
type text struct{ subject, body string }

// phrases are the fixed texts of customer notifications, per language (ja, en).
type phrases struct {
	subjects        map[string]string // per notification kind; %s is the incident's title
	received        string            // %s reference, %s product, %d severity
	confirmByPhone  string            // %v requested severity (twice)
	inGrace         string
	acknowledged    string // %s reference, %v severity, %s engineer
	replyBy         string // %s name
	waiting         string
	waitEnded       string
	resolved        string
	reopened        string
	confirmed       string
	severityChanged string // %v from, %v to
	reason          string // %s reason
	escalated       string // %d level, %s level name
	byDeadline      string
	byRequest       string
	requested       string // %v level
	remediation     string // %v due
	levels          map[int]string
	footer          string // %s reference (twice)
}

var catalogue = map[string]phrases{
	"en": {
		subjects: map[string]string{
			KindIncidentReceived: "Incident received: %s", KindIncidentAcknowledged: "An engineer is working on your incident: %s",
			KindIncidentUpdated: "Update on your incident: %s", KindIncidentWaiting: "We need information from you: %s",
			KindIncidentResolved: "Resolved: %s", KindIncidentReopened: "Reopened: %s",
			KindIncidentSeverityChanged: "Severity changed: %s", KindIncidentEscalated: "Escalated: %s",
			KindIncidentResolutionConfirmed: "Resolution confirmed: %s"},
		received:        "We received your incident %s (%s) at severity %d.",
		confirmByPhone:  "You asked for severity %v. Incidents sent by e-mail start at severity 3: please call support to confirm severity %v by phone.",
		inGrace:         "Your maintenance contract is in its grace period: please renew it.",
		acknowledged:    "We are working on %s at severity %v. Your engineer is %s.",
		replyBy:         "%s wrote:",
		waiting:         "To continue we need the following from you. Reply to this mail or update the incident:",
		waitEnded:       "We are working on your incident again.",
		resolved:        "Your incident was resolved.",
		reopened:        "Your incident was reopened.",
		confirmed:       "The resolution of your incident was confirmed: it stays resolved, and a reply to this mail opens a new incident.",
		severityChanged: "The severity of your incident changed from %v to %v.",
		reason:          "Reason: %s",
		escalated:       "Your incident was escalated to level %d (%s).",
		byDeadline:      "It was escalated because the agreed time passed.",
		byRequest:       "It was escalated at your request.",
		requested:       "Escalation to level %v was requested.",
		remediation:     "Remediation plan, to be resolved by %v:",
		levels:          map[int]string{1: "support manager", 2: "executive"},
		footer:          "Reference: %s. Reply to this mail to add to the incident, keeping %s in the subject.",
	},
	"ja": {
		subjects: map[string]string{
			KindIncidentReceived: "お問い合わせを受け付けました: %s", KindIncidentAcknowledged: "担当エンジニアが対応を開始しました: %s",
			KindIncidentUpdated: "お問い合わせの更新: %s", KindIncidentWaiting: "情報のご提供をお願いします: %s",
			KindIncidentResolved: "解決しました: %s", KindIncidentReopened: "再オープンしました: %s",
			KindIncidentSeverityChanged: "重要度が変更されました: %s", KindIncidentEscalated: "エスカレーションしました: %s",
			KindIncidentResolutionConfirmed: "解決が確認されました: %s"},
		received:        "お問い合わせ %s (%s) を重要度 %d で受け付けました。",
		confirmByPhone:  "ご指定の重要度 %v は電話での確認が必要です。メールでのお問い合わせは重要度 3 で受け付けています。重要度 %v の確認のため、サポート窓口までお電話ください。",
		inGrace:         "保守契約は猶予期間中です。契約を更新してください。",
		acknowledged:    "%s を重要度 %v で対応しています。担当エンジニアは %s です。",
		replyBy:         "%s さんのコメント:",
		waiting:         "対応を続けるため、以下の情報をご提供ください。このメールへの返信、またはお問い合わせの更新でお知らせください。",
		waitEnded:       "お問い合わせの対応を再開しました。",
		resolved:        "お問い合わせは解決しました。",
		reopened:        "お問い合わせを再オープンしました。",
		confirmed:       "お問い合わせの解決が確認されました。解決済みのままとなり、このメールへの返信は新しいお問い合わせになります。",
		severityChanged: "お問い合わせの重要度が %v から %v に変更されました。",
		reason:          "理由: %s",
		escalated:       "お問い合わせはレベル %d (%s) にエスカレーションされました。",
		byDeadline:      "対応期限に達したためです。",
		byRequest:       "お客様のご要望によるものです。",
		requested:       "レベル %v へのエスカレーションが依頼されました。",
		remediation:     "対応計画 (解決予定: %v):",
		levels:          map[int]string{1: "サポートマネージャー", 2: "役員"},
		footer:          "お問い合わせ番号: %s。このメールに返信すると、お問い合わせに追記されます。件名の %s は変更しないでください。",
	},
}

// render writes the notification of one customer-visible entry (ev: as the customer reads it)
// in lang (ja or en; anything else reads as en).
func render(kind string, ev tickets.Event, inc tickets.Incident, aud *audience, lang string) text {
	p, ok := catalogue[lang]
	if !ok {
		p = catalogue["en"]
	}
	d := ev.Data
	str := func(k string) string { s, _ := d[k].(string); return strings.TrimSpace(s) }
	var lines []string
	add := func(s ...string) {
		for _, x := range s {
			if x != "" {
				lines = append(lines, x)
			}
		}
	}
	withReason := func() {
		if r := str("reason"); r != "" {
			add(fmt.Sprintf(p.reason, r))
		}
	}
	switch ev.Kind {
	case tickets.KindOpened:
		add(fmt.Sprintf(p.received, inc.Reference, inc.Product, inc.Severity))
		if rs, ok := d["requested_severity"]; ok && inc.Channel == tickets.ChannelEmail {
			add(fmt.Sprintf(p.confirmByPhone, rs, rs))
		}
		if g, _ := d["in_grace"].(bool); g {
			add(p.inGrace)
		}
	case tickets.KindAcknowledged:
		engineer := aud.engineer
		if engineer == "" {
			engineer = "-"
		}
		add(fmt.Sprintf(p.acknowledged, inc.Reference, d["severity"], engineer))
		// The message begins with the English sentence above; what the engineer added follows.
		if _, extra, ok := strings.Cut(str("message"), "\n\n"); ok {
			add(strings.TrimSpace(extra))
		}
	case tickets.KindCustomerReply:
		name := ""
		for _, x := range aud.people {
			if ev.ActorID != nil && x.ID == *ev.ActorID {
				name = x.Name
			}
		}
		if name != "" {
			add(fmt.Sprintf(p.replyBy, name))
		}
		add(str("body"))
	case tickets.KindPublicUpdate:
		add(str("body"))
	case tickets.KindWaitStarted:
		add(p.waiting, str("message"))
	case tickets.KindWaitEnded:
		add(p.waitEnded)
	case tickets.KindResolved:
		add(p.resolved, str("resolution"))
	case tickets.KindReopened:
		add(p.reopened)
		withReason()
	case tickets.KindResolutionConfirmed:
		add(p.confirmed)
		if m := str("message"); m != "" {
			for _, x := range aud.people {
				if ev.ActorID != nil && x.ID == *ev.ActorID {
					add(fmt.Sprintf(p.replyBy, x.Name))
				}
			}
			add(m)
		}
	case tickets.KindSeverityChanged:
		add(fmt.Sprintf(p.severityChanged, d["from"], d["severity"]))
		withReason()
	case tickets.KindEscalated:
		level := toInt(d["level"])
		add(fmt.Sprintf(p.escalated, level, p.levels[level]))
		cause := str("cause")
		if cause == "" {
			cause = str("reason")
		}
		switch cause {
		case "deadline":
			add(p.byDeadline)
		case "request", "customer_request":
			add(p.byRequest)
		}
	case tickets.KindEscalationRequested:
		add(fmt.Sprintf(p.requested, d["level"]))
		withReason()
	case tickets.KindRemediationAgreed:
		add(fmt.Sprintf(p.remediation, d["due_at"]), str("plan"))
	default:
		withReason()
	}
	add("--", fmt.Sprintf(p.footer, inc.Reference, inc.Reference))
	subject := fmt.Sprintf(p.subjects[kind], inc.Title)
	return text{subject: "[" + inc.Reference + "] " + subject, body: strings.Join(lines, "\n\n")}
}

func toInt(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case float64:
		return int(n)
	}
	return 0
}
