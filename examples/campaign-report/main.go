// Command campaign-report prints the delivery and tracking figures of a
// sending task as a table: sent, delivered and failed messages, unique and
// total opens and clicks with their ratios, the most clicked links, and
// when the first and last opens happened.
//
//	go run ./examples/campaign-report -task 19448
//
// With BESTEDM_USERNAME and BESTEDM_PASSWORD unset it runs against a fake
// server started in-process; there, without -task, it first creates a
// contact list, a template and a task that sends to the list, and lets two
// days pass on the fake's clock, so that there is something to report.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/examples/internal/demo"
)

var (
	taskID   = flag.Int64("task", 0, "id of the task to report on (required against the real service)")
	topLinks = flag.Int("links", 5, "how many of the most clicked links to show")
)

func main() {
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "campaign-report:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	client, done, err := demo.Client()
	if err != nil {
		return err
	}
	defer done()

	id := *taskID
	if id == 0 {
		if !demo.Fake() {
			return errors.New("give the task to report on with -task id")
		}
		if id, err = demoTask(ctx, client); err != nil {
			return fmt.Errorf("creating the demo task: %w", err)
		}
	}
	r, err := collect(ctx, client, id)
	if err != nil {
		return err
	}
	fmt.Println()
	return r.print(os.Stdout, *topLinks)
}

// report is what the table shows.
type report struct {
	task     *bestedm.Task
	track    *bestedm.TrackOverview // nil when the task tracks nothing
	batch    *bestedm.BatchStat     // failures by kind; nil if not found
	browsers []count                // of the recipients who opened
}

type count struct {
	name string
	n    int
}

// collect reads the task, its tracking summary, its delivery statistics and
// the browsers of its readers.
func collect(ctx context.Context, client *bestedm.Client, id int64) (*report, error) {
	t, err := client.Task.Get(ctx, id)
	if errors.Is(err, bestedm.ErrNotFound) {
		return nil, fmt.Errorf("the account has no task %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading task %d: %w", id, err)
	}
	r := &report{task: t}
	if bs, err := client.Statistic.Batches(ctx, &bestedm.BatchListOptions{Ident: t.SN}); err == nil && len(bs) > 0 {
		r.batch = &bs[0]
	} // the breakdown of failures is a bonus: without it the table still stands
	if t.TrackStatus == bestedm.TrackNone {
		return r, nil
	}
	if r.track, err = client.Track.Overview(ctx, bestedm.TaskByID(id)); err != nil {
		return nil, fmt.Errorf("reading the tracking of task %d: %w", id, err)
	}
	// Opens streams one record at a time, whatever the campaign's size.
	seen := map[string]int{}
	for o, err := range client.Track.Opens(ctx, bestedm.TaskByID(id)) {
		if err != nil {
			return nil, fmt.Errorf("reading the opens of task %d: %w", id, err)
		}
		seen[cmp.Or(o.Browser, "unknown")]++
	}
	for name, n := range seen {
		r.browsers = append(r.browsers, count{name, n})
	}
	slices.SortFunc(r.browsers, func(a, b count) int { return cmp.Or(b.n-a.n, strings.Compare(a.name, b.name)) })
	return r, nil
}

// print writes the report as a two-column table: a label, then figures.
func (r *report) print(out io.Writer, links int) error {
	var b strings.Builder
	row := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "%-18s"+format+"\n", append([]any{label}, args...)...)
	}
	t := r.task
	row("task", "%d  %s", t.ID, t.SN)
	var tpls []string
	for _, tp := range t.Templates {
		tpls = append(tpls, tp.Name)
	}
	row("templates", "%s", strings.Join(tpls, ", "))
	row("list", "%s (%d)", t.ListName, t.ListID)
	row("status", "%s", t.SendStatus)
	row("scheduled", "%s", when(t.SendTime))
	row("sending", "%s → %s", when(t.TimeStart), when(t.TimeEnd))
	b.WriteString("\n")

	row("recipients", "%6d", t.SendQtyActual)
	row("sent", "%6d", t.SendCount)
	if r.track != nil {
		row("delivered", "%6d%s", r.track.RealSendCount, pct(r.track.RealSendCount, t.SendCount))
	}
	row("failed", "%6d%s", t.ErrorCount, pct(t.ErrorCount, t.SendCount))
	if bt := r.batch; bt != nil {
		other := t.ErrorCount - bt.EmailNotExist - bt.OverQuota - bt.UserReject
		for _, f := range []struct {
			name string
			n    int64
		}{{"no such mailbox", bt.EmailNotExist}, {"mailbox full", bt.OverQuota}, {"refused", bt.UserReject}, {"other", other}} {
			if f.n > 0 {
				row("  "+f.name, "%6d", f.n)
			}
		}
	}
	b.WriteString("\n")

	o := r.track
	if o == nil {
		row("tracking", "off for this task")
		_, err := io.WriteString(out, b.String())
		return err
	}
	row("", "%6s  %6s  %7s", "unique", "total", "ratio")
	row("opens", "%6d  %6d  %6.2f%%", o.OpenUnique, o.OpenTotal, o.OpenRatio)
	row("clicks", "%6d  %6d  %6.2f%%", o.ClickUnique, o.ClickTotal, o.ClickRatio)
	row("first open", "%s", when(o.OpenFirst))
	row("last open", "%s", when(o.OpenLast))
	row("first click", "%s", when(o.ClickFirst))
	row("last click", "%s", when(o.ClickLast))
	if len(r.browsers) > 0 {
		var bs []string
		for _, br := range r.browsers[:min(3, len(r.browsers))] {
			bs = append(bs, fmt.Sprintf("%s %d", br.name, br.n))
		}
		row("browsers", "%s", strings.Join(bs, ", "))
	}
	b.WriteString("\n")

	top := slices.Clone(o.Links)
	slices.SortStableFunc(top, func(a, b bestedm.LinkStat) int {
		return cmp.Or(cmp.Compare(b.ClickUnique, a.ClickUnique), cmp.Compare(b.ClickTotal, a.ClickTotal))
	})
	row("top links", "%6s  %6s", "unique", "total")
	for i, l := range top[:min(links, len(top))] {
		row(fmt.Sprintf("%4d.", i+1), "%6d  %6d  %s", l.ClickUnique, l.ClickTotal, l.URL)
	}
	if len(top) == 0 {
		row("", "no tracked links")
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// when formats a server time; the zero time is an unset one.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format("2006-01-02 15:04:05")
}

func pct(n, of int64) string {
	if of == 0 {
		return ""
	}
	return fmt.Sprintf("  (%.2f%%)", float64(n)*100/float64(of))
}

// demoTask creates, on the fake, a list of readers, a template with
// tracked links and a task that sends it, then lets the fake's clock run
// until recipients have opened and clicked. It returns the task's id.
func demoTask(ctx context.Context, client *bestedm.Client) (int64, error) {
	fmt.Println("no -task: creating a demo list, template and task on the fake server")
	listID, err := demo.CreateList(ctx, client, &bestedm.MaillistParams{Name: "campaign-report demo", Status: bestedm.MaillistEnabled})
	if err != nil {
		return 0, err
	}
	if _, err := client.Maillist.AddAddresses(ctx, listID, readers(200), nil); err != nil {
		return 0, err
	}
	res, err := client.Template.Create(ctx, &bestedm.TemplateParams{
		Name:     "campaign-report demo",
		Subjects: []string{"Our autumn collection"},
		Content: `<html><body><h1>Autumn collection</h1>` +
			`<p><a href="https://shop.example.com/autumn">See the collection</a></p>` +
			`<p><a href="https://shop.example.com/coupon?c=AUTUMN">Get 15% off</a></p>` +
			`<p><a href="https://www.example.com/stores">Find a store</a> · ` +
			`<a href="https://www.example.com/unsubscribe-help">Manage your subscription</a></p></body></html>`,
	})
	if err != nil {
		return 0, err
	}
	res, err = client.Task.Create(ctx, &bestedm.TaskParams{
		TemplateIDs: []int64{res.ID}, SendDomain: bestedm.SendDomainAll, SendAccount: bestedm.SendAccountAll, SendFullname: "Example Shop",
		MaillistID: listID, Status: bestedm.TaskSendNow, Time: demo.Now(), TrackStatus: bestedm.TrackOpensAndClicks,
	})
	if err != nil {
		return 0, err
	}
	id := res.ID
	for {
		t, err := client.Task.Get(ctx, id)
		if err != nil {
			return 0, err
		}
		fmt.Printf("  task %d: %d of %d sent\n", id, t.SendCount, t.SendQtyActual)
		if t.SendStatus == bestedm.SendFinished {
			break
		}
		if err := demo.Wait(ctx, 5*time.Second); err != nil {
			return 0, err
		}
	}
	fmt.Println("  letting two days pass on the fake's clock, for recipients to open and click")
	return id, demo.Wait(ctx, 48*time.Hour)
}

// readers yields n addresses at reserved example domains.
func readers(n int) func(yield func(bestedm.Address) bool) {
	given := []string{"wei", "fang", "na", "min", "jing", "lei", "jun", "yang", "tao", "hua", "ming", "chao"}
	family := []string{"wang", "li", "zhang", "liu", "chen", "yang", "zhao", "huang", "zhou", "wu"}
	hosts := []string{"example.com", "example.net", "example.org"}
	return func(yield func(bestedm.Address) bool) {
		for i := range n {
			g, f := given[i%len(given)], family[i/len(given)%len(family)]
			a := bestedm.Address{Email: fmt.Sprintf("%s.%s%d@%s", g, f, i, hosts[i%len(hosts)])}
			if !yield(a) {
				return
			}
		}
	}
}
