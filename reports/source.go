package reports

import (
	"regexp"
	"strings"
)

// SourcePart is a piece of a requirement's source text; URL is set on the pieces that name
// a public section (an RFC section or appendix on www.rfc-editor.org).
type SourcePart struct {
	Text string
	URL  string
}

// rfcRef finds "RFC 6749", "§5.1" / "§ 5.1" / "Section 5.1" and "Appendix B" in a source.
var rfcRef = regexp.MustCompile(`RFC\s?(\d{3,5})|(?:§\s?|[Ss]ection\s)(\d+(?:\.\d+)*)|Appendix\s([A-Z](?:\.\d+)*)`)

// SourceLinks splits a catalog source ("rfc: RFC 6749 §5.1, Appendix B; RFC 6750 §3") into
// parts, linking every RFC section and appendix to its anchor on www.rfc-editor.org
// (https://www.rfc-editor.org/rfc/rfc6749#section-5.1, …#appendix-B). A bare "§5.2" refers
// to the RFC named last before it; with no RFC named it is left unlinked, as are the
// vendor docs sources, which have no stable public anchors.
func SourceLinks(source string) []SourcePart {
	var parts []SourcePart
	text := func(s string) {
		if s == "" {
			return
		}
		if n := len(parts); n > 0 && parts[n-1].URL == "" {
			parts[n-1].Text += s
			return
		}
		parts = append(parts, SourcePart{Text: s})
	}
	rfc := ""
	last := 0
	for _, m := range rfcRef.FindAllStringSubmatchIndex(source, -1) {
		start, end := m[0], m[1]
		text(source[last:start])
		last = end
		switch {
		case m[2] >= 0: // RFC number, linked with a following section if there is one
			rfc = source[m[2]:m[3]]
			parts = append(parts, SourcePart{Text: source[start:end], URL: rfcURL(rfc, "")})
		case m[4] >= 0 && rfc != "":
			section := source[m[4]:m[5]]
			parts = append(parts, SourcePart{Text: source[start:end], URL: rfcURL(rfc, "section-"+section)})
		case m[6] >= 0 && rfc != "":
			parts = append(parts, SourcePart{Text: source[start:end], URL: rfcURL(rfc, "appendix-"+source[m[6]:m[7]])})
		default:
			text(source[start:end])
		}
	}
	text(source[last:])
	return mergeRFCSection(parts)
}

// mergeRFCSection joins "RFC 6749" and an immediately following "§5.1" into one link to
// the section, which is what a reader clicking "RFC 6749 §5.1" expects.
func mergeRFCSection(parts []SourcePart) []SourcePart {
	var out []SourcePart
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		if i+2 < len(parts) && strings.HasPrefix(p.Text, "RFC") && p.URL != "" &&
			parts[i+1].URL == "" && strings.TrimSpace(parts[i+1].Text) == "" &&
			parts[i+2].URL != "" && strings.HasPrefix(parts[i+2].URL, p.URL+"#") {
			out = append(out, SourcePart{Text: p.Text + parts[i+1].Text + parts[i+2].Text, URL: parts[i+2].URL})
			i += 2
			continue
		}
		out = append(out, p)
	}
	return out
}

func rfcURL(number, anchor string) string {
	u := "https://www.rfc-editor.org/rfc/rfc" + number
	if anchor != "" {
		u += "#" + anchor
	}
	return u
}
