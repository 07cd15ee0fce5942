package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"os"
	"path/filepath"
	"unicode/utf8"
)

// journalSuffix names the resume journal, beside the input.
const journalSuffix = ".bestedm-journal"

// journalState is what a journal holds: the input it is about (list,
// size, and the SHA-256 of its bytes before Offset) and how far the import
// got. Every row before Offset is done:
// in a batch the server confirmed, rejected (and written to the rejects
// file, RejectsSize bytes at that point), or already in the list. A batch
// whose outcome is unknown is not done: a re-run sends it again, and the
// server counts what it already holds as duplicates.
type journalState struct {
	Version     int    `json:"version"`
	List        int64  `json:"list"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Offset      int64  `json:"offset"`
	Line        int    `json:"line"`
	Rejects     string `json:"rejects,omitempty"`
	RejectsSize int64  `json:"rejects_size,omitempty"`
}

// journal keeps the state of one import in a file beside its input,
// replaced whole (written beside it, then renamed) at every checkpoint, so
// that a kill at any point leaves the previous state or the next.
type journal struct {
	path  string
	state journalState
	err   error // the first failure to write; the import goes on without
}

// scanEncoding reads a regular file once for the evidence of its
// encoding, line by line. A chunk of ASCII holds no evidence: only its lines
// are counted.
func scanEncoding(f *os.File) (ev encodingEvidence, err error) {
	buf := make([]byte, 256<<10)
	var partial []byte // a line cut by the end of a chunk
	tooLong := false   // partial outgrew maxLineBytes: rejected when read
	line := 1
	for first := true; ; first = false {
		n, err := io.ReadFull(f, buf)
		chunk := buf[:n]
		if first && bytes.HasPrefix(chunk, utf8BOM) {
			ev.bom = true
		}
		switch {
		case len(partial) == 0 && !tooLong && isASCII(chunk):
			line += bytes.Count(chunk, []byte{'\n'})
		case len(partial) == 0 && !tooLong && ev.firstUTF8 != 0 && utf8.Valid(chunk):
			// Valid UTF-8 cut at a rune: nothing new to learn.
			line += bytes.Count(chunk, []byte{'\n'})
		default:
			line, partial, tooLong = ev.addLines(chunk, line, partial, tooLong)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return ev, err
		}
	}
	if len(partial) > 0 && !tooLong {
		ev.add(partial, line)
	}
	_, err = f.Seek(0, io.SeekStart)
	return ev, err
}

// prefixHash returns the SHA-256 state of the first n bytes of f, and
// leaves f at n: a re-run's check that the rows a journal counts as done
// are still those rows.
func prefixHash(f *os.File, n int64) (hash.Hash, error) {
	h := sha256.New()
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if _, err := io.CopyN(h, f, n); err != nil {
		return nil, err
	}
	return h, nil
}

// addLines classifies the lines of chunk, the first continuing partial;
// it returns the line number and the partial line after it.
func (e *encodingEvidence) addLines(chunk []byte, line int, partial []byte, tooLong bool) (int, []byte, bool) {
	for {
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			if len(partial)+len(chunk) > maxLineBytes {
				return line, partial[:0], true
			}
			return line, append(partial, chunk...), tooLong
		}
		seg := chunk[:i]
		if len(partial) > 0 {
			partial = append(partial, seg...)
			seg = partial
		}
		if !tooLong {
			e.add(seg, line)
		}
		partial, tooLong = partial[:0], false
		line++
		chunk = chunk[i+1:]
	}
}

// loadJournal reads the journal of input; a missing or unreadable one is
// no journal.
func loadJournal(input string) (*journal, bool) {
	j := &journal{path: input + journalSuffix}
	b, err := os.ReadFile(j.path)
	if err != nil || json.Unmarshal(b, &j.state) != nil || j.state.Version != 1 {
		return j, false
	}
	return j, true
}

// save replaces the journal with s.
func (j *journal) save(s journalState) {
	if j.err != nil {
		return
	}
	s.Version = 1
	j.state = s
	b, _ := json.Marshal(s)
	// A name of its own: imports of one file running at once each
	// replace the journal whole, never write into each other's.
	tmp, err := os.CreateTemp(filepath.Dir(j.path), "."+filepath.Base(j.path)+".*")
	if err != nil {
		j.err = err
		return
	}
	_, err = tmp.Write(append(b, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), j.path)
	}
	if err != nil {
		j.err = err
		_ = os.Remove(tmp.Name())
	}
}

// remove deletes the journal of an import that finished.
func (j *journal) remove() {
	if err := os.Remove(j.path); err != nil && !errors.Is(err, os.ErrNotExist) && j.err == nil {
		j.err = err
	}
}
