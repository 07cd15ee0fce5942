package bestedmtest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// addrKey identifies an address within a list the way the API compares
// them: case-insensitively.
type addrKey struct {
	listID int64
	email  string
}

// keyOf is the index key of email in list listID. Two emails get the same
// key exactly when strings.EqualFold holds between them: ASCII is
// lower-cased, any other rune becomes the smallest rune of its simple
// case-folding orbit (lower-cased when that is ASCII), which is the
// relation EqualFold tests.
func keyOf(listID int64, email string) addrKey {
	ascii := true
	for i := 0; i < len(email); i++ {
		if email[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return addrKey{listID, strings.ToLower(email)}
	}
	var b strings.Builder
	b.Grow(len(email))
	for _, r := range email {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		if least < utf8.RuneSelf {
			least = unicode.ToLower(least) // as the ASCII path has it: the K of k, K and the Kelvin sign is k
		}
		b.WriteRune(least)
	}
	return addrKey{listID, b.String()}
}

// addrIn finds email (case-insensitively) in list listID.
func (st *state) addrIn(listID int64, email string) *address {
	return st.byEmail[keyOf(listID, email)]
}

// putAddr stores a new address; the caller has checked with addrIn that
// its email is not yet in its list.
func (st *state) putAddr(a *address) {
	if st.byEmail == nil {
		st.byEmail = make(map[addrKey]*address)
	}
	st.addrs = append(st.addrs, a)
	st.byEmail[keyOf(a.listID, a.email)] = a
}

// dropAddrs deletes the addresses for which drop is true, keeping the
// order of the others, and returns how many went.
func (st *state) dropAddrs(drop func(*address) bool) int {
	n := len(st.addrs)
	st.addrs = removeFunc(st.addrs, func(a *address) bool {
		if !drop(a) {
			return false
		}
		if k := keyOf(a.listID, a.email); st.byEmail[k] == a {
			delete(st.byEmail, k)
		}
		return true
	})
	return n - len(st.addrs)
}

// renameAddr moves a stored address to email in the index; the caller has
// checked that no other address of its list has that email, and sets
// a.email itself.
func (st *state) renameAddr(a *address, email string) {
	old, k := keyOf(a.listID, a.email), keyOf(a.listID, email)
	if old == k {
		return
	}
	if st.byEmail[old] == a {
		delete(st.byEmail, old)
	}
	if st.byEmail == nil {
		st.byEmail = make(map[addrKey]*address)
	}
	st.byEmail[k] = a
}
