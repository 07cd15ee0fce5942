package bestedmtest

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func listCount(s *Server) int { return with(s, func(st *state) int { return len(st.lists) }) }

// raw sends a request and returns the response and the body read error.
func raw(t *testing.T, ctx context.Context, a *api, script, do string, pairs ...string) (*http.Response, []byte, error) {
	t.Helper()
	q := kv(pairs...)
	q.Set("do", do)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.url(script, q), nil)
	require.NoError(t, err)
	req.SetBasicAuth(a.creds.Username, a.creds.Password)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, b, err
}

// wellFormed reads every token of b.
func wellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := d.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

func TestFaultHTTPStatus(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	before := listCount(s)
	s.Fail(Match{Script: "mloperate.php", Action: "maillist-add"}, 1, HTTPStatus(http.StatusServiceUnavailable))
	r := a.get("mloperate.php", "maillist-add", "subject", "x", "status", "enabled")
	assert.Equal(t, http.StatusServiceUnavailable, r.code)
	assert.Equal(t, "text/html", r.header.Get("Content-Type"))
	assert.Contains(t, r.body, "<h1>503 Service Unavailable</h1>")
	assert.Empty(t, r.header.Get("Retry-After"))
	assert.Equal(t, before, listCount(s), "a proxy error never reaches the service")
	a.get("mloperate.php", "maillist-add", "subject", "x", "status", "enabled").ok(t)
	assert.Equal(t, before+1, listCount(s), "the fault was used up")

	s.Fail(Match{}, 1, HTTPStatusRetryAfter(http.StatusTooManyRequests, 1500*time.Millisecond))
	r = a.get("account.php", "customer-info")
	assert.Equal(t, http.StatusTooManyRequests, r.code)
	assert.Equal(t, "2", r.header.Get("Retry-After"))
}

func TestFaultMatching(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	s.Fail(Match{Action: "maillist-list"}, 2, HTTPStatus(502))
	s.Fail(Match{Script: "account.php"}, 1, HTTPStatus(504))
	assert.Equal(t, 200, a.get("mloperate.php", "maillist-detail", "id", with(s, func(st *state) string { return id(st.lists[0].id) })).code)
	assert.Equal(t, 502, a.get("mloperate.php", "maillist-list").code)
	assert.Equal(t, 504, a.get("account.php", "service-info").code)
	assert.Equal(t, 200, a.get("account.php", "service-info").code)
	assert.Equal(t, 502, a.get("mloperate.php", "maillist-list").code)
	assert.Equal(t, 200, a.get("mloperate.php", "maillist-list").code)

	s.FailAlways(Match{Script: "stask.php"}, HTTPStatus(500))
	for i := 0; i < 3; i++ {
		assert.Equal(t, 500, a.get("stask.php", "", "date", "2024-05-14").code)
	}
	s.ClearFaults()
	assert.Equal(t, 200, a.get("stask.php", "", "date", "2024-05-14").code)
	assert.Panics(t, func() { s.Fail(Match{}, 1, Fault{}) })
	assert.Panics(t, func() { s.FailAlways(Match{}, Fault{}) })
	for _, n := range []int{0, -1} {
		assert.PanicsWithValue(t, fmt.Sprintf("bestedmtest: Fail with n = %d; n must be at least 1 (FailAlways fails every matching request)", n),
			func() { s.Fail(Match{}, n, HTTPStatus(500)) })
	}
	assert.Equal(t, 200, a.get("stask.php", "", "date", "2024-05-14").code, "a refused Fail adds no rule")
}

func TestFaultDelay(t *testing.T) {
	// Without a clock the delay is real time, the one place a real wait is
	// the thing under test; it stays short.
	s := NewServer(t)
	a := customerAPI(t, s)
	s.Fail(Match{Script: "account.php"}, 1, Delay(60*time.Millisecond))
	start := time.Now()
	assert.Equal(t, "customer", a.get("account.php", "customer-info").root(t))
	assert.GreaterOrEqual(t, time.Since(start), 60*time.Millisecond)
}

// waiters is how many requests wait on the clock.
func waiters(c *Clock) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

func TestFaultDelayOnClock(t *testing.T) {
	clk := fixedClock()
	s := NewServer(t, WithClock(clk))
	a := customerAPI(t, s)
	start := time.Now()
	s.Fail(Match{Script: "account.php"}, 1, Delay(time.Hour))
	got := make(chan string, 1)
	go func() {
		r, err := a.tryGet("account.php", "customer-info")
		if err != nil {
			got <- err.Error()
			return
		}
		got <- r.body
	}()
	clk.BlockUntil(1)
	clk.Advance(59 * time.Minute)
	assert.Equal(t, 1, waiters(clk), "59 of 60 minutes do not release it")
	clk.Advance(time.Minute)
	assert.Contains(t, <-got, "<customer>")
	assert.Equal(t, 0, waiters(clk))
	assert.Less(t, time.Since(start), 5*time.Second, "an hour's delay costs no real hour")

	// Two delays release in the order of their ends; Set moves by the same rule.
	s.Fail(Match{Script: "account.php"}, 2, Delay(10*time.Second))
	done := make(chan struct{}, 2)
	for range 2 {
		go func() {
			_, _ = a.tryGet("account.php", "customer-info")
			done <- struct{}{}
		}()
	}
	clk.BlockUntil(2)
	clk.Set(clk.Now().Add(-time.Hour))
	assert.Equal(t, 2, waiters(clk), "moving back releases nothing")
	clk.Set(clk.Now().Add(time.Hour + 10*time.Second))
	<-done
	<-done

	// A client that gives up first: its wait is withdrawn and the request is
	// never handled, however far the clock moves later.
	before := listCount(s)
	s.Fail(Match{Action: "maillist-add"}, 1, Delay(time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, _, err := raw(t, ctx, a, "mloperate.php", "maillist-add", "subject", "late", "status", "enabled")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Eventually(t, func() bool { return waiters(clk) == 0 }, 5*time.Second, 5*time.Millisecond)
	clk.Advance(time.Hour)
	assert.Equal(t, before, listCount(s))
	recs := s.Requests()
	assert.Equal(t, []int{1, 2, 1}, []int{countFaults(recs, "delay 1h0m0s"), countFaults(recs, "delay 10s"), countFaults(recs, "delay 1m0s")})
}

func countFaults(recs []RecordedRequest, fault string) int {
	n := 0
	for _, r := range recs {
		if r.Fault == fault {
			n++
		}
	}
	return n
}

func TestFaultDropConnection(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	before := listCount(s)
	s.Fail(Match{Action: "maillist-add"}, 1, DropConnection())
	_, _, err := raw(t, context.Background(), a, "mloperate.php", "maillist-add", "subject", "lost reply", "status", "enabled")
	require.Error(t, err)
	assert.True(t, errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset"), err.Error())
	assert.Equal(t, before+1, listCount(s), "the write took effect; only the reply was lost")
}

func TestFaultDropMidBody(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	s.Fail(Match{}, 1, DropMidBody())
	res, body, err := raw(t, context.Background(), a, "mloperate.php", "maillist-list")
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, 200, res.StatusCode)
	assert.Greater(t, res.ContentLength, int64(len(body)))
	assert.True(t, strings.HasPrefix(string(body), xmlProlog))
}

func TestFaultBodies(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	want := a.get("mloperate.php", "maillist-list").body
	require.Contains(t, want, "新闻订阅")

	t.Run("truncated", func(t *testing.T) {
		s.Fail(Match{}, 1, TruncatedBody())
		r := a.get("mloperate.php", "maillist-list")
		assert.Equal(t, 200, r.code)
		assert.Equal(t, want[:len(want)/2], r.body)
		assert.Error(t, wellFormed([]byte(r.body)))
	})
	t.Run("malformed", func(t *testing.T) {
		s.Fail(Match{}, 1, MalformedBody())
		r := a.get("mloperate.php", "maillist-list")
		assert.Equal(t, 200, r.code)
		assert.Equal(t, "text/xml; charset=utf-8", r.header.Get("Content-Type"))
		assert.True(t, strings.HasPrefix(r.body, "<br />"))
		assert.True(t, strings.HasSuffix(r.body, want))
		assert.Error(t, wellFormed([]byte(r.body)))
	})
	t.Run("BOM", func(t *testing.T) {
		s.Fail(Match{}, 1, BOMBody())
		r := a.get("mloperate.php", "maillist-list")
		assert.Equal(t, "\ufeff"+want, r.body)
	})
	t.Run("empty", func(t *testing.T) {
		s.Fail(Match{}, 1, EmptyBody())
		r := a.get("mloperate.php", "maillist-list")
		assert.Equal(t, 200, r.code)
		assert.Empty(t, r.body)
	})
	t.Run("GBK", func(t *testing.T) {
		s.Fail(Match{}, 1, GBKBody())
		r := a.get("mloperate.php", "maillist-list")
		assert.Equal(t, "text/xml; charset=gbk", r.header.Get("Content-Type"))
		assert.False(t, utf8.ValidString(r.body), "Chinese text is re-encoded")
		assert.True(t, strings.HasPrefix(r.body, `<?xml version="1.0" encoding="GBK"?>`))
		dec, err := simplifiedchinese.GBK.NewDecoder().String(r.body)
		require.NoError(t, err)
		assert.Equal(t, strings.Replace(want, `encoding="UTF-8"`, `encoding="GBK"`, 1), dec)
	})
	t.Run("GBK export", func(t *testing.T) {
		list := with(s, func(st *state) string { return id(st.lists[1].id) })
		plain := a.get("mloperate.php", "subscription-export", "id", list).body
		s.Fail(Match{Action: "subscription-export"}, 1, GBKBody())
		r := a.get("mloperate.php", "subscription-export", "id", list)
		assert.Equal(t, "text/plain; charset=gbk", r.header.Get("Content-Type"))
		dec, err := simplifiedchinese.GBK.NewDecoder().String(r.body)
		require.NoError(t, err)
		assert.Equal(t, plain, dec)
	})
	t.Run("faults apply to error replies too", func(t *testing.T) {
		s.Fail(Match{}, 1, BOMBody())
		r := a.get("mloperate.php", "maillist-detail")
		assert.True(t, strings.HasPrefix(r.body, "\ufeff<?xml"))
		assert.Contains(t, r.body, "param_error")
	})
}

func TestFaultString(t *testing.T) {
	for f, want := range map[Fault]string{
		HTTPStatus(502): "http 502", HTTPStatusRetryAfter(429, 3*time.Second): "http 429, retry after 3s",
		Delay(time.Second): "delay 1s", DropConnection(): "drop connection", DropMidBody(): "drop mid-body",
		TruncatedBody(): "truncated body", MalformedBody(): "malformed body", GBKBody(): "GBK body",
		BOMBody(): "BOM body", EmptyBody(): "empty body", {}: "no fault",
	} {
		assert.Equal(t, want, f.String())
	}
}
