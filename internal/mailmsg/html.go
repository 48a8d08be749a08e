package mailmsg

import (
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// policy keeps the formatting people write in mail and drops scripts, styles, event handlers,
// forms and remote content's tricks; links get rel="nofollow noopener".
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return p
}()

// sanitiseHTML returns the HTML part with only safe markup left, fit to show to staff.
func sanitiseHTML(s string) string {
	return strings.TrimSpace(policy.Sanitize(s))
}

// blockElements start and end on a line of their own in text.
var blockElements = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "tr": true, "table": true, "ul": true, "ol": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "pre": true, "hr": true,
	"blockquote": true, "dl": true, "dt": true, "dd": true, "section": true, "article": true,
	"header": true, "footer": true,
}

// htmlToText renders HTML as plain text: block elements on lines of their own, list items
// with "- ", links as "text (url)", and blockquotes as "> " lines, so that quoted history in an
// HTML reply is recognised exactly as in a plain one. It is written on golang.org/x/net/html,
// which bluemonday already brings, rather than another dependency: the blockquote rule is the
// one that matters here and no converter offers it.
func htmlToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var (
		out      strings.Builder
		line     strings.Builder
		quote    int
		pre      int
		skip     int
		hrefs    []string
		linkText strings.Builder
	)
	flush := func(force bool) {
		text := line.String()
		if pre == 0 {
			text = strings.Join(strings.Fields(text), " ")
		}
		line.Reset()
		if text == "" && !force {
			return
		}
		out.WriteString(strings.Repeat("> ", quote))
		out.WriteString(text)
		out.WriteByte('\n')
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			flush(false)
			return collapseBlankLines(out.String())
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := string(z.Text())
			if pre > 0 {
				parts := strings.Split(t, "\n")
				for i, part := range parts {
					if i > 0 {
						flush(true)
					}
					line.WriteString(part)
				}
				continue
			}
			line.WriteString(t)
			if len(hrefs) > 0 {
				linkText.WriteString(t)
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			start := tt != html.EndTagToken
			switch tag {
			case "style", "script", "head", "title":
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
				continue
			case "a":
				if tt == html.StartTagToken {
					href := ""
					for hasAttr {
						var k, v []byte
						k, v, hasAttr = z.TagAttr()
						if string(k) == "href" {
							href = string(v)
						}
					}
					hrefs = append(hrefs, href)
					linkText.Reset()
				} else if tt == html.EndTagToken && len(hrefs) > 0 {
					href := hrefs[len(hrefs)-1]
					hrefs = hrefs[:len(hrefs)-1]
					text := strings.TrimSpace(linkText.String())
					if href != "" && !strings.HasPrefix(href, "mailto:") && href != text {
						line.WriteString(" (" + href + ")")
					}
				}
				continue
			case "img":
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "alt" && len(v) > 0 {
						line.WriteString("[" + string(v) + "]")
					}
				}
				continue
			}
			if !blockElements[tag] {
				if tag == "td" || tag == "th" {
					line.WriteString(" ")
				}
				continue
			}
			flush(tag == "br")
			switch {
			case tag == "blockquote" && start:
				quote++
			case tag == "blockquote" && quote > 0:
				quote--
			case tag == "pre" && tt == html.StartTagToken:
				pre++
			case tag == "pre" && !start && pre > 0:
				pre--
			case tag == "li" && start:
				line.WriteString("- ")
			case !start && (tag == "p" || tag == "table" || tag == "ul" || tag == "ol" || tag[0] == 'h'):
				// A paragraph ends with a blank line, as it would in a plain-text mail.
				out.WriteString(strings.Repeat("> ", quote) + "\n")
			case tag == "hr":
				out.WriteString(strings.Repeat("> ", quote) + "----\n")
			}
		}
	}
}

// collapseBlankLines leaves at most one blank line in a row.
func collapseBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
