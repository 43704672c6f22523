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

// Revoke revokes one token the mock issued. It reports false if token is not a token of
// this mock (bad signature, malformed) or was already revoked. Expired tokens can be revoked.
func (s *Server) Revoke(token string) bool {
	var c claims
	// Ignore expiry: revoking an expired token is harmless and saves a surprise.
	_, err := s.anyTime.ParseWithClaims(token, &c, s.keyFunc)
	if err != nil || c.ID == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.revoked[c.ID]; ok {
		return false
	}
	s.revoked[c.ID] = struct{}{}
	return true
}

// RevokeUser revokes every token issued to username so far; tokens issued later are
// valid. It returns how many tokens the user was issued since its last revocation (or
// since the start, or the last Reset).
func (s *Server) RevokeUser(username string) int {
	seq := s.seq.Load()
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.issued[username] - s.issuedAtRv[username]
	s.issuedAtRv[username] = s.issued[username]
	s.userCutoff[username] = seq
	return n
}

// FailNextTokens makes the next n token requests answer 500 server_error, whatever they
// contain; n ≤ 0 clears it. It works with or without Config.Control.
func (s *Server) FailNextTokens(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = max(n, 0)
}

// SetLatency delays every request outside the control API by d (clamped to
// 0..MaxLatency); 0 clears it. A client that gives up stops the wait.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = min(max(d, 0), MaxLatency)
}

// SetTokenTTL sets the lifetime of tokens issued from now on, as [Config.TokenTTL] does
// at the start: 0 means they never expire (no expires_in, no exp claim); otherwise d must
// be at least one second, and fractions of a second are dropped. A negative or sub-second
// d is an error and changes nothing. Tokens issued before keep their own expiry; Reset
// restores Config.TokenTTL. It works with or without Config.Control.
func (s *Server) SetTokenTTL(d time.Duration) error {
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
// (Config.TokenTTL), clears revocations and faults and empties the journal. Tokens issued
// before stay valid (unless expired on the real clock).
func (s *Server) Reset() {
	s.offset.Store(0)
	s.ttl.Store(int64(s.cfg.TokenTTL))
	s.resetState()
	s.journal.clear()
}

func (s *Server) resetState() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = 0
	s.latency = 0
	s.revoked = make(map[string]struct{})
	s.userCutoff = make(map[string]uint64)
	s.issuedAtRv = make(map[string]int)
	if s.issued == nil {
		s.issued = make(map[string]int)
	}
}

// State is the mock's state as the control API shows it.
type State struct {
	Now             time.Time `json:"now"`
	TokenTTLSeconds int64     `json:"token_ttl_seconds"` // 0: tokens never expire
	FailNextTokens  int       `json:"fail_next_tokens"`
	Latency         string    `json:"latency"` // a Go duration, e.g. "150ms"; "0s" when none
}

// State returns the mock's current state.
func (s *Server) State() State {
	s.mu.Lock()
	failNext, latency := s.failNext, s.latency
	s.mu.Unlock()
	return State{
		Now:             s.Now().UTC(),
		TokenTTLSeconds: int64(s.TokenTTL() / time.Second),
		FailNextTokens:  failNext,
		Latency:         latency.String(),
	}
}
