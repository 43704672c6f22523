// Package catalog is the requirement catalog: one table of everything the suites check,
// each entry with a stable ID, a level, the source it comes from, an area and a title.
//
// Every entry is implemented by exactly one Ginkgo spec in package suites, labelled with
// the entry's ID, level and area; a test there proves the correspondence is one-to-one.
package catalog

import (
	"fmt"
	"regexp"
)

// Level is how binding a requirement is (RFC 2119 keywords).
type Level string

// The levels. MUST failures gate; SHOULD failures gate only in strict mode; MAY never gates.
const (
	Must   Level = "MUST"
	Should Level = "SHOULD"
	May    Level = "MAY"
)

// Label is the lower-case Ginkgo label of the level ("must", "should", "may").
func (l Level) Label() string {
	switch l {
	case Must:
		return "must"
	case Should:
		return "should"
	default:
		return "may"
	}
}

// IDPattern is the form of every requirement ID.
var IDPattern = regexp.MustCompile(`^[A-Z]+(-[A-Z]+)*-[0-9]{3}$`)

// Labels returns the Ginkgo labels of the requirement: ID, level, area and source kind.
func (r Requirement) Labels() []string {
	return []string{r.ID, r.Level.Label(), r.Area, string(r.Kind)}
}

// String returns "ID [LEVEL] title".
func (r Requirement) String() string {
	return fmt.Sprintf("%s [%s] %s", r.ID, r.Level, r.Title)
}

// Lookup returns the requirement with the given ID, server (All) or client (Clients).
func Lookup(id string) (Requirement, bool) {
	for _, r := range append(requirements[:len(requirements):len(requirements)], clientRequirements...) {
		if r.ID == id {
			return r, true
		}
	}
	return Requirement{}, false
}

// All returns a copy of the catalog in its canonical order.
func All() []Requirement {
	return append([]Requirement(nil), requirements...)
}
