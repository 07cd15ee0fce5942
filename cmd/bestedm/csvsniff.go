package main

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// For `addresses import` (import.go wires them): the delimiter of a CSV
// file, sniffed from its first lines or named by --delimiter.

// sniffSampleBytes is how much of the file's start the sniffer reads.
const sniffSampleBytes = 64 << 10

// sniffLines is how many records of the sample are compared.
const sniffLines = 20

// delimiterCandidates are the delimiters the sniffer considers, the
// usual first: a tie goes to the earlier one.
var delimiterCandidates = []rune{',', ';', '\t', '|'}

// sniffDelimiter returns the delimiter of the CSV text that starts with
// head, and whether the text says so: the candidate found in the header
// (outside quotes) that splits the most of the following records into as
// many fields as the header. A text with no candidate in its header (one
// column, or empty) gives ',' and false.
func sniffDelimiter(head []byte) (rune, bool) {
	if len(head) > sniffSampleBytes {
		head = head[:sniffSampleBytes]
	}
	records := splitRecords(string(head), sniffLines)
	if len(records) == 0 {
		return ',', false
	}
	best, bestScore, bestFields := ',', -1, 0
	for _, d := range delimiterCandidates {
		n := countOutsideQuotes(records[0], d)
		if n == 0 {
			continue
		}
		score := 0
		for _, r := range records[1:] {
			if countOutsideQuotes(r, d) == n {
				score++
			}
		}
		if score > bestScore || (score == bestScore && n > bestFields) {
			best, bestScore, bestFields = d, score, n
		}
	}
	if bestScore < 0 {
		return ',', false
	}
	return best, true
}

// splitRecords cuts text into at most max records at line ends outside
// quotes; a last record cut short by the sample's end is dropped when
// there are others.
func splitRecords(text string, max int) []string {
	var recs []string
	quoted := false
	start := 0
	for i := 0; i < len(text) && len(recs) < max; i++ {
		switch text[i] {
		case '"':
			quoted = !quoted
		case '\n':
			if !quoted {
				recs = append(recs, strings.TrimSuffix(text[start:i], "\r"))
				start = i + 1
			}
		}
	}
	if len(recs) == 0 && start < len(text) {
		recs = append(recs, text[start:]) // the header alone, with no line end
	}
	return recs
}

// countOutsideQuotes counts d in a record, except inside quoted fields.
func countOutsideQuotes(rec string, d rune) int {
	n := 0
	quoted := false
	for _, c := range rec {
		switch {
		case c == '"':
			quoted = !quoted
		case c == d && !quoted:
			n++
		}
	}
	return n
}

// delimiterNames are the names --delimiter takes besides the character.
var delimiterNames = map[string]rune{
	"comma": ',', "semicolon": ';', "tab": '\t', `\t`: '\t', "pipe": '|',
}

// parseDelimiter reads a --delimiter value: one character, or comma,
// semicolon, tab (also \t) or pipe. A quote, a line end, a control
// character or an invalid byte cannot delimit fields.
func parseDelimiter(s string) (rune, error) {
	if r, ok := delimiterNames[s]; ok {
		return r, nil
	}
	r, size := utf8.DecodeRuneInString(s)
	switch {
	case s == "" || size != len(s):
		return 0, usagef("--delimiter must be one character, or comma, semicolon, tab or pipe, not %s", quoteSample(s))
	case r == utf8.RuneError, r == '"', r == '\r', r == '\n', r != '\t' && unicode.IsControl(r):
		return 0, usagef("--delimiter cannot be %s", quoteSample(s))
	}
	return r, nil
}
