package mockserver

import (
	"container/heap"
	"errors"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Errors of [Server.Revoke] and [Server.RevokeUser]. The control API answers 400 for
// ErrMalformedToken and 404 for the others; nothing is stored for any of them.
var (
	// ErrMalformedToken is a token that is not a JWT at all.
	ErrMalformedToken = errors.New("mockserver: not a JWT")
	// ErrUnknownToken is a JWT this mock did not issue: its signature does not verify with
	// the mock's key, or it lacks the claims the mock puts in every token.
	ErrUnknownToken = errors.New("mockserver: not a token this mock issued")
	// ErrUnknownAccount is a username that is not one of the mock's accounts.
	ErrUnknownAccount = errors.New("mockserver: no such account")
)

// The revocation state is bounded by what the mock itself issued: a revoked token's id is
// kept only until that token's own expiry (a never-expiring token's for good), and an
// account's revocation is one cutoff per known account. Garbage, foreign tokens and
// unknown accounts store nothing.

// userState is what the mock counts per known account. Server.accounts is not changed
// after New, so it is read without a lock; the fields but issued are guarded by Server.mu.
type userState struct {
	issued     atomic.Int64 // tokens issued, ever
	issuedAtRv int64        // issued at the account's last revocation
	cutoff     uint64       // tokens whose issue sequence number is ≤ cutoff are revoked; 0: none
}

// revokedToken is a revoked token's id and expiry, ordered by expiry in expiryHeap.
type revokedToken struct {
	id  string
	exp time.Time
}

// expiryHeap is a min-heap of revoked expiring tokens, soonest expiry first.
type expiryHeap []revokedToken

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].exp.Before(h[j].exp) }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(revokedToken)) }
func (h *expiryHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Revoke revokes one token the mock issued, until its expiry. It reports whether the token
// was newly revoked: false (and nil) when it was revoked already or has expired on the
// mock's clock, so there is nothing to keep. A token that is not a JWT is
// ErrMalformedToken; one the mock did not issue is ErrUnknownToken.
func (s *Server) Revoke(token string) (bool, error) {
	var c claims
	// Expiry is checked below, on the mock's clock, to tell "expired" from "not ours".
	if _, err := s.anyTime.ParseWithClaims(token, &c, s.keyFunc); err != nil {
		if errors.Is(err, jwt.ErrTokenMalformed) {
			return false, ErrMalformedToken
		}
		return false, ErrUnknownToken
	}
	if c.ID == "" || c.Subject == "" || c.IssuedAt == nil {
		return false, ErrUnknownToken
	}
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropExpiredLocked(now)
	if c.ExpiresAt != nil && !now.Before(c.ExpiresAt.Time) {
		return false, nil
	}
	if _, ok := s.revoked[c.ID]; ok {
		return false, nil
	}
	s.revoked[c.ID] = struct{}{}
	if c.ExpiresAt != nil {
		heap.Push(&s.expiries, revokedToken{id: c.ID, exp: c.ExpiresAt.Time})
	}
	return true, nil
}

// dropExpiredLocked forgets revoked tokens that have expired at now: the expiry check
// refuses them anyway. The caller holds s.mu.
func (s *Server) dropExpiredLocked(now time.Time) {
	for len(s.expiries) > 0 && !now.Before(s.expiries[0].exp) {
		delete(s.revoked, heap.Pop(&s.expiries).(revokedToken).id)
	}
}

// RevokeUser revokes every token issued to username so far; tokens issued later are
// valid. It returns how many tokens the account was issued since its last revocation (or
// since the start, or the last Reset). A username that is not one of the mock's accounts
// is ErrUnknownAccount.
func (s *Server) RevokeUser(username string) (int, error) {
	seq := s.seq.Load()
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.accounts[username]
	if !ok {
		return 0, ErrUnknownAccount
	}
	issued := u.issued.Load()
	n := issued - u.issuedAtRv
	u.issuedAtRv = issued
	u.cutoff = seq
	return int(n), nil
}

// isRevoked reports whether a verified token was revoked, by itself or with its account.
func (s *Server) isRevoked(c *claims) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.revoked[c.ID]; ok {
		return true
	}
	u, ok := s.accounts[c.Subject]
	if !ok || u.cutoff == 0 {
		return false
	}
	seq, ok := seqOf(c.ID)
	return !ok || seq <= u.cutoff
}

// countIssued counts a token issued to a known account.
func (s *Server) countIssued(username string) {
	if u, ok := s.accounts[username]; ok {
		u.issued.Add(1)
	}
}
