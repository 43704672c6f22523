package catalog

// requirements is the catalog, in report order. Sources name a section of the vendor docs
// ("docs: …") or of an RFC ("rfc: RFC 6749 §…"); the level follows DESIGN.md: the docs'
// statements are MUST, exact wording of error_description is SHOULD, RFC-only
// requirements are SHOULD.
var requirements = []Requirement{
	// Filled by the suites.
}
