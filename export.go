package bestedm

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strings"
	"sync"

	"github.com/bestedm/bestedm-go/internal/charset"
)

// Export is an export as it streams from the server: plain text, or for
// some calls JSON or XML rows (see export_rows.go). Read it as raw bytes
// (io.Copy it to a file; the bytes are exactly as sent) or range over Rows
// for parsed rows — one or the other. Close it when done; Rows
// closes it by itself when the loop ends.
type Export[T any] struct {
	body        io.ReadCloser
	br          *bufio.Reader
	contentType string
	call        string
	parse       func(fields []string) (T, error)
	// rows, when set, decodes a structured body (JSON or XML rows, see
	// export_rows.go) instead of lines; form names it in errors.
	rows func(in io.Reader, decoded bool, yield func(T) bool) error
	form string
	// maxLine bounds one line (WithMaxRecordSize): a longer one is an
	// error rather than unbounded memory.
	maxLine int64
	// redact removes credentials, and the call's own secrets, from an
	// error: a line the parser quotes may be the server echoing them.
	redact    func(error) error
	closeOnce sync.Once
	closeErr  error
}

// Read reads the raw export body.
func (e *Export[T]) Read(p []byte) (int, error) {
	if !e.open() {
		return 0, errNoExport()
	}
	return e.br.Read(p)
}

// Close releases the connection. It is safe to call more than once.
func (e *Export[T]) Close() error {
	if !e.open() {
		return errNoExport()
	}
	e.closeOnce.Do(func() { e.closeErr = e.body.Close() })
	return e.closeErr
}

// ContentType returns the Content-Type header the server sent.
func (e *Export[T]) ContentType() string {
	if e == nil {
		return ""
	}
	return e.contentType
}

// open reports whether e came from an export call: a nil *Export, or the
// zero Export[T]{}, has nothing to read.
func (e *Export[T]) open() bool { return e != nil && e.body != nil && e.br != nil && e.parse != nil }

// Rows yields one parsed row per non-empty line, or per JSON or XML row
// when the call answered those. The body is decoded to
// UTF-8 first (a BOM or a GBK charset in Content-Type is handled) and CRLF
// line ends are accepted. A line that cannot be parsed ends the loop with
// an error naming its line number.
func (e *Export[T]) Rows() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if !e.open() {
			yield(zero, errNoExport())
			return
		}
		defer e.Close()
		in, decoded, err := charset.NewReader(e.br, charset.FromContentType(e.contentType))
		if err != nil {
			yield(zero, e.redact(fmt.Errorf("bestedm: %s: %w", e.call, err)))
			return
		}
		if e.rows != nil {
			e.structuredRows(in, decoded, yield)
			return
		}
		lr := bufio.NewReaderSize(in, 64<<10)
		maxLine := e.maxLine
		if maxLine <= 0 {
			maxLine = defaultMaxRecordSize
		}
		for lineNo := 1; ; lineNo++ {
			line, err := readLine(lr, maxLine)
			var le *LimitError
			if errors.As(err, &le) {
				yield(zero, e.redact(&DecodeError{Call: e.call, Expected: fmt.Sprintf("line %d of a text export", lineNo), ContentType: e.contentType, Snippet: line, Err: le}))
				return
			}
			if err != nil && err != io.EOF {
				// A line cut by a broken connection is not a row: parsing
				// it would hide the real failure behind a parse error.
				yield(zero, &RequestError{Call: e.call, Attempts: 1, Err: e.redact(err)})
				return
			}
			if len(line) > 0 {
				row, perr := e.parse(splitFields(line))
				if perr != nil {
					yield(zero, e.redact(fmt.Errorf("bestedm: %s: line %d: %w", e.call, lineNo, perr)))
					return
				}
				if !yield(row, nil) {
					return
				}
			}
			if err == io.EOF {
				return
			}
		}
	}
}

// readLine returns the next line without its line end, or "" for a line of
// blanks. Tabs at either end are kept: they separate fields, and trimming
// them dropped an empty last field ("address<TAB>" with no name). A line
// longer than max fails with a *LimitError, and its start for a snippet.
func readLine(r *bufio.Reader, max int64) (string, error) {
	var buf []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if int64(len(buf)+len(chunk)) > max {
			head := append(buf[:len(buf):len(buf)], chunk...)
			return strings.ToValidUTF8(string(head[:min(len(head), snippetSize)]), "\uFFFD"), &LimitError{Limit: "record size", Max: max, Option: "WithMaxRecordSize"}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			buf = append(buf, chunk...)
			continue
		}
		if buf != nil {
			chunk = append(buf, chunk...)
		}
		line := strings.TrimRight(string(chunk), "\r\n")
		if strings.TrimSpace(line) == "" {
			line = ""
		}
		return line, err
	}
}

// splitFields splits an export line on tabs, the separator the document
// gives for §4.6 and §4.7, trimming each field.
func splitFields(line string) []string {
	fields := strings.Split(line, "\t")
	for i, f := range fields {
		fields[i] = strings.TrimSpace(f)
	}
	return fields
}

// openExport performs a call that answers plain text. The server reports
// errors as an XML <result> instead of text, so a body that starts with
// "<" is decoded as a reply: an error <result> becomes *APIError, anything
// else (an HTML page) a *DecodeError.
func openExport[T any](ctx context.Context, c *Client, r *request, parse func([]string) (T, error)) (*Export[T], error) {
	return openExportForms(ctx, c, r, parse, nil)
}

// openExportForms is openExport for a call that may also answer JSON or
// XML rows (forms): the body is sniffed, and only an XML document that
// forms does not take as rows is read as an error reply.
func openExportForms[T any](ctx context.Context, c *Client, r *request, parse func([]string) (T, error), forms *rowForms[T]) (*Export[T], error) {
	resp, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(resp.Body, 4096)
	head, _ := br.Peek(512)
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF}), " \t\r\n")
	rows, form := forms.pick(trimmed)
	if rows == nil && bytes.HasPrefix(trimmed, []byte("<")) {
		defer resp.Body.Close()
		resp.Body = io.NopCloser(br)
		return nil, c.exportReplyError(resp)
	}
	return &Export[T]{
		body:        resp.Body,
		br:          br,
		contentType: resp.Header.Get("Content-Type"),
		call:        c.callName(resp.Request),
		parse:       parse,
		rows:        rows,
		form:        form,
		maxLine:     c.maxRecord,
		redact:      func(err error) error { return c.redactErr(resp.Request, err) },
	}, nil
}

// exportReplyError decodes an XML body where text was expected.
func (c *Client) exportReplyError(resp *http.Response) error {
	rd := &reply{c: c, resp: resp}
	if err := rd.xml(whole); err != nil {
		return err
	}
	_, err := rd.root("text export")
	if err == nil {
		err = rd.fail("a text export", errors.New("got an XML document"))
	}
	return err
}
