package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
)

// rerunSetup is a file of rows addresses interrupted after half of them:
// the list holds the first half, and (for the journal side) the journal
// says so, as an import stopped by a signal after that batch leaves it.
type rerunSetup struct {
	full, rest string // the whole file; a file of its second half alone
	half       int
	halfOffset int64 // the offset after the first half's last line
}

func newRerunSetup(tb testing.TB, rows int) rerunSetup {
	dir := tb.TempDir()
	s := rerunSetup{full: filepath.Join(dir, "full.csv"), rest: filepath.Join(dir, "rest.csv"), half: rows / 2}
	full, err := os.Create(s.full)
	require.NoError(tb, err)
	rest, err := os.Create(s.rest)
	require.NoError(tb, err)
	fw, rw := bufio.NewWriterSize(full, 1<<20), bufio.NewWriterSize(rest, 1<<20)
	var off int64
	for _, w := range []*bufio.Writer{fw, rw} {
		_, _ = w.WriteString("email,name,phone,area\n")
	}
	off = int64(len("email,name,phone,area\n"))
	for i := range rows {
		a := benchAddress(i)
		line := a.Email + "," + a.Name + "," + a.Phone + "," + a.Area + "\n"
		_, _ = fw.WriteString(line)
		if i < s.half {
			off += int64(len(line))
		} else {
			_, _ = rw.WriteString(line)
		}
	}
	s.halfOffset = off
	require.NoError(tb, fw.Flush())
	require.NoError(tb, rw.Flush())
	require.NoError(tb, full.Close())
	require.NoError(tb, rest.Close())
	return s
}

// interrupt leaves list as an import of s.full stopped after its first
// half leaves it: those addresses in the list, and, with journal, the
// journal at that point.
func (s rerunSetup) interrupt(tb testing.TB, c *bestedm.Client, listID int64, withJournal bool) {
	ctx := context.Background()
	_, err := c.Maillist.Empty(ctx, listID)
	require.NoError(tb, err)
	_, err = c.Maillist.AddAddresses(ctx, listID, func(yield func(bestedm.Address) bool) {
		for i := range s.half {
			if !yield(benchAddress(i)) {
				return
			}
		}
	}, nil)
	require.NoError(tb, err)
	_ = os.Remove(s.full + journalSuffix)
	if !withJournal {
		return
	}
	f, err := os.Open(s.full)
	require.NoError(tb, err)
	defer f.Close()
	fi, err := f.Stat()
	require.NoError(tb, err)
	h, err := prefixHash(f, s.halfOffset)
	require.NoError(tb, err)
	j := &journal{path: s.full + journalSuffix}
	j.save(journalState{List: listID, Size: fi.Size(), SHA256: hex.EncodeToString(h.Sum(nil)), Offset: s.halfOffset, Line: s.half + 1})
	require.NoError(tb, j.err)
}

// BenchmarkImportRerun measures the re-run of an import of -rows rows
// (default 1,000,000) interrupted after half of them:
// with the journal, without it (--journal=false: the list is read first,
// as before), and, as the reference, an import of a file of the remaining
// rows alone into the same list (the first half in it, not read:
// --skip-existing=false), so that the fake does the same work. journal/rest
// is held to 1.2.
func BenchmarkImportRerun(b *testing.B) {
	for range b.N {
		f := fakeProcess(b, 0)
		c, err := bestedm.NewClient(f.username, f.password, bestedm.WithBaseURL(f.url))
		require.NoError(b, err)
		s := newRerunSetup(b, *benchRows)
		lid := strconv.FormatInt(f.listID, 10)
		env := fakeEnv(f)
		run := func(want int, args ...string) time.Duration {
			start := time.Now()
			code := execute(context.Background(), append([]string{"addresses", "import", lid}, args...), env)
			d := time.Since(start)
			require.Equal(b, 0, code)
			l, err := c.Maillist.Get(context.Background(), f.listID)
			require.NoError(b, err)
			require.Equal(b, int64(want), l.Count)
			return d
		}
		var best [3]time.Duration
		var all [3][]string
		for range *benchRepeat {
			for i, side := range []func() time.Duration{
				func() time.Duration { s.interrupt(b, c, f.listID, true); return run(*benchRows, s.full) },
				func() time.Duration {
					s.interrupt(b, c, f.listID, false)
					return run(*benchRows, s.full, "--journal=false")
				},
				func() time.Duration {
					// The same rows sent to the same list, the first half in
					// it: the fake's work is the same as the re-run's.
					s.interrupt(b, c, f.listID, false)
					return run(*benchRows, s.rest, "--skip-existing=false", "--journal=false")
				},
			} {
				d := side()
				best[i] = minNonZero(best[i], d)
				all[i] = append(all[i], d.Round(time.Millisecond).String())
			}
		}
		b.Logf("re-run after half of %d rows: with the journal %s; without %s; the remaining rows alone %s",
			*benchRows, strings.Join(all[0], ", "), strings.Join(all[1], ", "), strings.Join(all[2], ", "))
		ratio := best[0].Seconds() / best[2].Seconds()
		b.ReportMetric(best[0].Seconds(), "journal-s")
		b.ReportMetric(best[1].Seconds(), "no-journal-s")
		b.ReportMetric(best[2].Seconds(), "rest-s")
		b.ReportMetric(ratio, "journal/rest")
		b.ReportMetric(best[1].Seconds()/best[2].Seconds(), "no-journal/rest")
		if ratio > maxSlowdown {
			b.Errorf("re-run with the journal took %.2f× the remaining rows' time, over %.1f×", ratio, maxSlowdown)
		}
	}
}
