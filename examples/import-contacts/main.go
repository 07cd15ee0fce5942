// Command import-contacts reads a CSV file of contacts into a contact list,
// in batches, printing a line per batch and a summary at the end.
//
//	go run ./examples/import-contacts [-list id] [-batch n] [contacts.csv]
//
// The first line of the file names the columns: email (required), name,
// sex (M or F; 男 and 女 are accepted), birthday (YYYY-MM-DD), phone, area
// and var1…var10, in any order; other columns are ignored. Without a file
// it reads the sample shipped with it, contacts.csv (fake data, with a few
// bad rows, as real exports have). Rows the service would refuse, and
// repeats of an address, are left out and listed with the reason.
//
// Without -list it creates a new list. With BESTEDM_USERNAME and
// BESTEDM_PASSWORD unset it runs against a fake server started in-process.
package main

import (
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/examples/internal/demo"
)

//go:embed contacts.csv
var sample string

var (
	listID    = flag.Int64("list", 0, "id of the list to add to (default: a new list)")
	batchSize = flag.Int("batch", 50, "addresses per request (at most 10000)")
)

func main() {
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: import-contacts [flags] [file.csv]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "import-contacts:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, path string) error {
	if flag.NArg() > 1 {
		return fmt.Errorf("one file at most, got %d", flag.NArg())
	}
	if *batchSize < 1 || *batchSize > bestedm.MaxBatchSize {
		return fmt.Errorf("-batch: want 1 to %d, got %d", bestedm.MaxBatchSize, *batchSize)
	}
	// The file is opened before connecting, so that a wrong path fails
	// before anything is created.
	in, name, sampleFile, err := open(path)
	if err != nil {
		return err
	}
	defer in.Close()

	client, done, err := demo.Client()
	if err != nil {
		return err
	}
	defer done()

	id := *listID
	if id == 0 {
		subject := fmt.Sprintf("import %s %s", name, demo.Now().Format("2006-01-02 15:04:05"))
		var err error
		id, err = demo.CreateList(ctx, client, &bestedm.MaillistParams{Name: subject, Status: bestedm.MaillistEnabled})
		if err != nil {
			return fmt.Errorf("creating the list: %w", err)
		}
		fmt.Printf("created list %d %q\n", id, subject)
	} else {
		l, err := client.Maillist.Get(ctx, id)
		if err != nil {
			return fmt.Errorf("list %d: %w", id, err)
		}
		fmt.Printf("adding to list %d %q, which holds %d addresses\n", id, l.Name, l.Count)
	}

	if sampleFile {
		fmt.Println("reading the sample contacts.csv shipped with the example (give a file to read another)")
	} else {
		fmt.Printf("reading %s\n", path)
	}
	src := &contacts{r: csv.NewReader(in), seen: map[string]int{}}
	rep, err := client.Maillist.AddAddresses(ctx, id, src.addresses(), &bestedm.AddressAddOptions{
		BatchSize: *batchSize,
		OnBatch: func(b bestedm.AddressBatch) {
			fmt.Printf("  batch %d: %d addresses, read %d rows so far: %s\n", b.Index, b.Count, src.read, b.Result.Message)
		},
	})
	summary(src, rep)
	if src.err != nil {
		return src.err
	}
	if err != nil {
		return err
	}
	if l, err := client.Maillist.Get(ctx, id); err == nil {
		fmt.Printf("list %d %q now holds %d addresses\n", l.ID, l.Name, l.Count)
	}
	return nil
}

// open opens the file at path, or the sample when path is empty; name is
// the file's base name.
func open(path string) (r io.ReadCloser, name string, sampleFile bool, err error) {
	if path == "" {
		return io.NopCloser(strings.NewReader(sample)), "contacts.csv", true, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", false, err
	}
	return f, filepath.Base(path), false, nil
}

// maxListed bounds the rejections printed one by one.
const maxListed = 20

func summary(src *contacts, rep *bestedm.AddressAddReport) {
	fmt.Printf("rows read: %d\n", src.read)
	fmt.Printf("rejected:  %d\n", len(src.rejected))
	for i, r := range src.rejected {
		if i == maxListed {
			fmt.Printf("  … and %d more\n", len(src.rejected)-maxListed)
			break
		}
		fmt.Printf("  line %d: %s\n", r.line, r.reason)
	}
	// Added counts what the batches carried; the service's messages above
	// say how many of those it skipped as already in the list.
	fmt.Printf("added:     %d addresses\n", rep.Added)
	fmt.Printf("batches:   %d of up to %d addresses\n", len(rep.Batches), *batchSize)
}

// contacts turns CSV rows into addresses, keeping the rows it rejects.
type contacts struct {
	r        *csv.Reader
	read     int // data rows read
	seen     map[string]int
	rejected []rejection
	err      error // a file that cannot be read at all
}

type rejection struct {
	line   int
	reason string
}

// addresses yields the valid rows, one at a time: the file is never held
// in memory whole, and AddAddresses sends a batch as soon as it is full.
func (c *contacts) addresses() iter.Seq[bestedm.Address] {
	return func(yield func(bestedm.Address) bool) {
		c.r.FieldsPerRecord = -1 // a short row has empty trailing fields
		header, err := c.r.Read()
		if err != nil {
			c.err = fmt.Errorf("reading the header: %w", err)
			return
		}
		cols, err := columns(header)
		if err != nil {
			c.err = err
			return
		}
		for {
			rec, err := c.r.Read()
			if err == io.EOF {
				return
			}
			line, _ := c.r.FieldPos(0)
			var perr *csv.ParseError
			if errors.As(err, &perr) {
				// One badly quoted row need not stop the import.
				c.read++
				c.reject(perr.Line, perr.Err.Error())
				continue
			}
			if err != nil {
				c.err = err
				return
			}
			c.read++
			a, reason := cols.address(rec)
			if reason == "" {
				key := strings.ToLower(a.Email)
				if first, dup := c.seen[key]; dup {
					reason = fmt.Sprintf("%s repeats line %d", a.Email, first)
				} else {
					c.seen[key] = line
				}
			}
			if reason != "" {
				c.reject(line, reason)
				continue
			}
			if !yield(a) {
				return
			}
		}
	}
}

func (c *contacts) reject(line int, reason string) {
	c.rejected = append(c.rejected, rejection{line, reason})
}

// columnSet maps field names to their column in the file.
type columnSet map[string]int

var fieldNames = []string{"email", "name", "sex", "birthday", "phone", "area",
	"var1", "var2", "var3", "var4", "var5", "var6", "var7", "var8", "var9", "var10"}

func columns(header []string) (columnSet, error) {
	cols := columnSet{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) // a BOM, as spreadsheets write
		for _, f := range fieldNames {
			if h == f {
				cols[f] = i
			}
		}
	}
	if _, ok := cols["email"]; !ok {
		return nil, fmt.Errorf("the first line has no email column: %q", strings.Join(header, ","))
	}
	return cols, nil
}

// address reads a row, or says why it cannot be sent: Address.Validate is
// the check AddAddresses makes, called here so that one bad row is left
// out instead of stopping its batch.
func (cols columnSet) address(rec []string) (bestedm.Address, string) {
	get := func(name string) string {
		if i, ok := cols[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	a := bestedm.Address{
		Email: get("email"), Name: get("name"), Phone: get("phone"), Area: get("area"),
		Var1: get("var1"), Var2: get("var2"), Var3: get("var3"), Var4: get("var4"), Var5: get("var5"),
		Var6: get("var6"), Var7: get("var7"), Var8: get("var8"), Var9: get("var9"), Var10: get("var10"),
	}
	switch s := get("sex"); strings.ToUpper(s) {
	case "":
	case "M", "男":
		a.Sex = bestedm.SexMale
	case "F", "女":
		a.Sex = bestedm.SexFemale
	default:
		return a, fmt.Sprintf("sex %q is not M or F", s)
	}
	if b := get("birthday"); b != "" {
		t, err := time.ParseInLocation(time.DateOnly, b, demo.China)
		if err != nil {
			return a, fmt.Sprintf("birthday %q is not a date YYYY-MM-DD", b)
		}
		a.Birthday = t
	}
	if a.Email == "" {
		return a, "no email address"
	}
	if err := a.Validate(); err != nil {
		return a, err.Error()
	}
	return a, ""
}
