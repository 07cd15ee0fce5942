package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// journalSuffix names the resume journal, beside the input.
const journalSuffix = ".bestedm-journal"

// journalState is what a journal holds: the input it is about (list,
// size, hash) and how far the import got. Every row before Offset is done:
// in a batch the server confirmed, rejected (and written to the rejects
// file, RejectsSize bytes at that point), or already in the list. A batch
// whose outcome is unknown is not done: a re-run sends it again, and the
// server counts what it already holds as duplicates (issue 16 item 6).
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

// scanInput reads a regular file once: its SHA-256 (the journal's proof
// that it did not change) and, line by line, the evidence of its encoding.
func scanInput(f *os.File) (sum string, ev encodingEvidence, err error) {
	h := sha256.New()
	br := bufio.NewReaderSize(io.TeeReader(f, h), maxLineBytes)
	if b, _ := br.Peek(3); string(b) == string(utf8BOM) {
		ev.bom = true
	}
	for n := 1; ; n++ {
		b, err := br.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) { // a line too long: rejected when read
			_, err = br.ReadSlice('\n')
			b = nil
		}
		if len(b) > 0 {
			ev.add(b, n)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", ev, err
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", ev, err
	}
	return hex.EncodeToString(h.Sum(nil)), ev, nil
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
