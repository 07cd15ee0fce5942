// Command quickstart is a tour of the bestedm SDK: it reads the account and
// its quota, creates a contact list and fills it, creates a template with
// an attachment, sends a task to the list with tracking on, shows the
// task's tracking figures, and deletes what it created.
//
//	go run ./examples/quickstart
//
// With BESTEDM_USERNAME and BESTEDM_PASSWORD unset it runs against a fake
// server started in-process. Against the real service the task is created
// on hold, and so never sent, unless -send is given: its recipients are
// example.com addresses, which cannot receive mail.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/examples/internal/demo"
)

var (
	send = flag.Bool("send", false, "against the real service: send the task (the fake server always does)")
	from = flag.String("from", "", "sender address of the task (default: every sender mailbox of the account)")
)

func main() {
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) (err error) {
	client, done, err := demo.Client()
	if err != nil {
		return err
	}
	defer done()

	if err := showAccount(ctx, client); err != nil {
		return err
	}

	// Everything created is deleted at the end, even after an error or
	// Ctrl-C: cleanup runs with a context of its own.
	var created cleanup
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		err = errors.Join(err, created.run(cctx, client))
	}()

	listID, err := fillList(ctx, client, &created)
	if err != nil {
		return err
	}
	tplID, err := createTemplate(ctx, client, &created)
	if err != nil {
		return err
	}
	taskID, sent, err := sendTask(ctx, client, &created, listID, tplID)
	if err != nil || !sent {
		return err
	}
	return showTracking(ctx, client, taskID)
}

// showAccount prints who the account is and how much it may still send.
func showAccount(ctx context.Context, client *bestedm.Client) error {
	me, err := client.Account.CustomerInfo(ctx)
	if err != nil {
		return fmt.Errorf("reading the account: %w", err)
	}
	svc, err := client.Account.ServiceInfo(ctx)
	if err != nil {
		return fmt.Errorf("reading the service: %w", err)
	}
	fmt.Printf("account %s (%s), customer id %d\n", me.Username, me.Company, me.ID)
	fmt.Printf("service %s, %s delivery: %d of %d messages left (%s quota)\n",
		svc.Status, svc.SendType, svc.QuotaLeft, svc.QuotaBought, svc.Type)
	return nil
}

// fillList creates a contact list, adds addresses one at a time, in a
// batch and by subscription, and lists them.
func fillList(ctx context.Context, client *bestedm.Client, created *cleanup) (int64, error) {
	subject := "bestedm-go quickstart " + demo.Now().Format("2006-01-02 15:04:05")
	listID, err := demo.CreateList(ctx, client, &bestedm.MaillistParams{
		Name: subject, Status: bestedm.MaillistEnabled, Description: "created by examples/quickstart",
	})
	if err != nil {
		return 0, fmt.Errorf("creating the list: %w", err)
	}
	created.list = listID
	fmt.Printf("created contact list %d %q\n", listID, subject)

	res, err := client.Maillist.AddAddress(ctx, listID, bestedm.Address{
		Email: "li.lei@example.com", Name: "Li Lei", Sex: bestedm.SexMale, Area: "北京市海淀区",
	})
	if err != nil {
		return 0, fmt.Errorf("adding an address: %w", err)
	}
	fmt.Printf("added li.lei@example.com as address %d\n", res.ID)

	// A batch goes in requests of BatchSize addresses (default 1000); any
	// iter.Seq works, slices.Values turns a slice into one.
	batch := sampleAddresses(58)
	rep, err := client.Maillist.AddAddresses(ctx, listID, slices.Values(batch), &bestedm.AddressAddOptions{BatchSize: 25})
	if err != nil {
		return 0, fmt.Errorf("adding a batch: %w", err)
	}
	for _, b := range rep.Batches {
		fmt.Printf("batch %d: %d addresses sent: %s\n", b.Index, b.Count, b.Result.Message)
	}

	res, err = client.Maillist.Subscribe(ctx, listID, bestedm.Subscriber{Email: "lucy.king@example.com", Name: "Lucy King"})
	if err != nil {
		return 0, fmt.Errorf("subscribing: %w", err)
	}
	fmt.Printf("subscribed lucy.king@example.com: %s\n", res.Message)

	fmt.Println("the list now holds:")
	n := 0
	for a, err := range client.Maillist.ListAddresses(ctx, &bestedm.AddressListOptions{ListID: &listID, Limit: 20}) {
		if err != nil {
			return 0, fmt.Errorf("listing the addresses: %w", err)
		}
		if n++; n <= 5 {
			fmt.Printf("  %d  %-28s %s\n", a.ID, a.Email, a.Name)
		}
	}
	fmt.Printf("  … %d addresses in all, read in pages of 20\n", n)
	return listID, nil
}

// sampleAddresses makes n addresses with names, at reserved example
// domains that receive no mail.
func sampleAddresses(n int) []bestedm.Address {
	given := []string{"Wei", "Fang", "Na", "Min", "Jing", "Lei", "Jun", "Yang", "Tao", "Hua"}
	family := []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang"}
	hosts := []string{"example.com", "example.net", "example.org"}
	out := make([]bestedm.Address, n)
	for i := range out {
		g, f := given[i%len(given)], family[i/len(given)%len(family)]
		out[i] = bestedm.Address{
			Email: fmt.Sprintf("%s.%s@%s", strings.ToLower(g), strings.ToLower(f), hosts[i%len(hosts)]),
			Name:  g + " " + f,
		}
	}
	return out
}

// createTemplate creates an HTML template with two links, which a task
// with click tracking tracks, and a small text attachment.
func createTemplate(ctx context.Context, client *bestedm.Client, created *cleanup) (int64, error) {
	res, err := client.Template.Create(ctx, &bestedm.TemplateParams{
		Name:     "bestedm-go quickstart",
		Subjects: []string{"Welcome, {$fullname}", "Hello from bestedm-go"},
		Content: `<html><body><p>Dear {$fullname},</p>` +
			`<p><a href="https://www.example.com/welcome">Read the welcome guide</a> or ` +
			`<a href="https://www.example.com/offers">see this week's offers</a>.</p></body></html>`,
		TextContent: "Dear {$fullname}, read the welcome guide at https://www.example.com/welcome",
		Attachments: []bestedm.File{{Name: "readme.txt", Content: strings.NewReader("Thank you for subscribing.\n")}},
	})
	if err != nil {
		return 0, fmt.Errorf("creating the template: %w", err)
	}
	created.template = res.ID
	tpl, err := client.Template.Get(ctx, res.ID)
	if err != nil {
		return 0, fmt.Errorf("reading the template back: %w", err)
	}
	fmt.Printf("created template %d %q: %d subjects, %d attachment(s), content type %s\n",
		tpl.ID, tpl.Name, len(tpl.Subjects), len(tpl.Attachments), tpl.ContentType)
	return tpl.ID, nil
}

// sendTask creates a task that sends the template to the list now, with
// opens and clicks tracked, and waits for it to finish; sent is false for a
// task created on hold.
func sendTask(ctx context.Context, client *bestedm.Client, created *cleanup, listID, tplID int64) (id int64, sent bool, err error) {
	p := &bestedm.TaskParams{
		TemplateIDs:  []int64{tplID},
		SendDomain:   bestedm.SendDomainAll, // with SendAccountAll: every sender mailbox of the account
		SendAccount:  bestedm.SendAccountAll,
		SendFullname: "bestedm-go quickstart",
		MaillistID:   listID,
		Status:       bestedm.TaskSendNow,
		Time:         demo.Now(),
		TrackStatus:  bestedm.TrackOpensAndClicks,
	}
	if *from != "" {
		p.SendDomain, p.SendAccount = "", *from
	}
	if !demo.Fake() && !*send {
		p.Status = bestedm.TaskHold
	}
	res, err := client.Task.Create(ctx, p)
	if err != nil {
		return 0, false, fmt.Errorf("creating the task: %w", err)
	}
	created.task = res.ID
	if p.Status == bestedm.TaskHold {
		fmt.Printf("created task %d on hold (give -send to send it)\n", res.ID)
		return res.ID, false, nil
	}
	fmt.Printf("created task %d: sending now, tracking opens and clicks\n", res.ID)

	// Poll until the task is done. The fake's clock moves a second a poll;
	// the real service is given a minute.
	for range 60 {
		t, err := client.Task.Get(ctx, res.ID)
		if err != nil {
			return 0, false, fmt.Errorf("reading the task: %w", err)
		}
		state := map[bestedm.SendStatus]string{bestedm.SendWaiting: "waiting", bestedm.SendInProgress: "sending",
			bestedm.SendFinished: "finished"}[t.SendStatus]
		if state == "" { // held, paused or cancelled by someone else
			return 0, false, fmt.Errorf("task %d stopped with send status %d", res.ID, t.SendStatus)
		}
		fmt.Printf("  %s: %d of %d handled, %d failed\n", state, t.SendCount, t.SendQtyActual, t.ErrorCount)
		if t.SendStatus == bestedm.SendFinished {
			return res.ID, true, nil
		}
		if err := demo.Wait(ctx, time.Second); err != nil {
			return 0, false, err
		}
	}
	fmt.Println("  still sending; see the figures later with: go run ./examples/campaign-report -task", res.ID)
	return res.ID, true, nil
}

// showTracking prints the task's tracking summary.
func showTracking(ctx context.Context, client *bestedm.Client, taskID int64) error {
	o, err := client.Track.Overview(ctx, bestedm.TaskByID(taskID))
	if err != nil {
		return fmt.Errorf("reading the tracking summary: %w", err)
	}
	fmt.Printf("tracking of task %d (%s): %d sent, %d delivered, %d failed\n",
		o.TaskID, o.TaskSN, o.SendCount, o.RealSendCount, o.ErrorSendCount)
	fmt.Printf("  opens:  %d unique, %d in all (%.2f%%)\n", o.OpenUnique, o.OpenTotal, o.OpenRatio)
	fmt.Printf("  clicks: %d unique, %d in all (%.2f%%)\n", o.ClickUnique, o.ClickTotal, o.ClickRatio)
	for _, l := range o.Links {
		fmt.Printf("  %-36s %d unique, %d in all\n", l.URL, l.ClickUnique, l.ClickTotal)
	}
	return nil
}

// cleanup remembers what the tour created, to delete it at the end.
type cleanup struct{ list, template, task int64 }

// run deletes the task, then the template and the list it uses.
func (c *cleanup) run(ctx context.Context, client *bestedm.Client) error {
	var errs []error
	var gone []string
	del := func(what string, id int64, fn func(context.Context, int64) (*bestedm.Result, error)) {
		if id == 0 {
			return
		}
		if _, err := fn(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("deleting %s %d: %w", what, id, err))
			return
		}
		gone = append(gone, fmt.Sprintf("%s %d", what, id))
	}
	del("task", c.task, client.Task.Delete)
	del("template", c.template, client.Template.Delete)
	del("list", c.list, client.Maillist.Delete) // with its addresses
	if len(gone) > 0 {
		fmt.Println("cleaned up:", strings.Join(gone, ", "))
	}
	return errors.Join(errs...)
}
