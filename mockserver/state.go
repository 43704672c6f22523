package mockserver

import (
	"math"
	"time"
)

// Now returns the mock's clock: the real clock plus every Advance since the last Reset.
func (s *Server) Now() time.Time {
	return s.realNow().Add(time.Duration(s.offset.Load()))
}

// Advance moves the mock's clock forward by d, so tokens expire without waiting.
// A d ≤ 0 does nothing; the total offset saturates instead of overflowing.
func (s *Server) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	for {
		old := s.offset.Load()
		next := old + int64(d)
		if next < old { // overflow
			next = math.MaxInt64
		}
		if s.offset.CompareAndSwap(old, next) {
			return
		}
	}
}

// FailNextTokens makes the next n token requests answer 500 server_error, whatever they
// contain; n ≤ 0 clears it. It works with or without Config.Control.
func (s *Server) FailNextTokens(n int) {
	s.failNext.Store(int64(max(n, 0)))
}

// SetLatency delays every request outside the control API by d (clamped to
// 0..MaxLatency); 0 clears it. A client that gives up stops the wait.
func (s *Server) SetLatency(d time.Duration) {
	s.latency.Store(int64(min(max(d, 0), MaxLatency)))
}

// SetTokenTTL sets the lifetime of tokens issued from now on: 0 or NeverExpires (any
// negative d) means they never expire (no expires_in, no exp claim), as "0s" does in the
// control API; otherwise d must be at least one second, and fractions of a second are
// dropped. A sub-second d is an error and changes nothing. Tokens issued before keep
// their own expiry; Reset restores the configured lifetime. It works with or without
// Config.Control.
func (s *Server) SetTokenTTL(d time.Duration) error {
	d = max(d, 0)
	if err := checkTTL(d); err != nil {
		return err
	}
	s.ttl.Store(int64(d.Truncate(time.Second)))
	return nil
}

// Journal returns what clients sent to the mock (not to the control API), oldest first,
// at most 1000 entries, secrets and tokens redacted.
func (s *Server) Journal() []JournalEntry { return s.journal.entries() }

// ClearJournal empties the journal.
func (s *Server) ClearJournal() { s.journal.clear() }

// Reset puts the clock back to real time, restores the configured token lifetime
// (Config.TokenTTL or its default), clears revocations and faults and empties the journal. Tokens issued
// before stay valid (unless expired on the real clock); RevokeUser counts from here.
func (s *Server) Reset() {
	s.offset.Store(0)
	s.ttl.Store(int64(s.cfg.TokenTTL))
	s.resetState()
	s.journal.clear()
}

func (s *Server) resetState() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext.Store(0)
	s.latency.Store(0)
	s.revoked = make(map[string]struct{})
	s.expiries = nil
	for _, u := range s.accounts {
		u.issuedAtRv = u.issued.Load()
		u.cutoff = 0
	}
}

// State is the mock's state as the control API shows it.
type State struct {
	Now             time.Time `json:"now"`
	TokenTTLSeconds int64     `json:"token_ttl_seconds"` // 0: tokens never expire
	FailNextTokens  int       `json:"fail_next_tokens"`
	Latency         string    `json:"latency"` // a Go duration, e.g. "150ms"; "0s" when none
	// RevokedTokens is how many revoked tokens the mock remembers: those not expired yet
	// on its clock, and never-expiring ones.
	RevokedTokens int `json:"revoked_tokens"`
}

// State returns the mock's current state.
func (s *Server) State() State {
	now := s.Now()
	s.mu.Lock()
	s.dropExpiredLocked(now)
	revoked := len(s.revoked)
	s.mu.Unlock()
	failNext, latency := int(s.failNext.Load()), time.Duration(s.latency.Load())
	return State{
		Now:             now.UTC(),
		TokenTTLSeconds: int64(s.TokenTTL() / time.Second),
		FailNextTokens:  failNext,
		Latency:         latency.String(),
		RevokedTokens:   revoked,
	}
}
