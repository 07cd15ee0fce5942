package bestedm_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
)

// Example walks one campaign from start to finish: a contact list, its
// addresses, a template, a task that sends it, the wait until it is
// delivered, and the report. It runs against the fake service on a clock
// that moves only when told to; against the real service, create the
// client with bestedm.NewClient and wait with time.Sleep instead.
func Example() {
	// A fake service in this program, on a hand-moved clock.
	clock := bestedmtest.NewClock(time.Date(2024, 5, 20, 9, 0, 0, 0, time.FixedZone("UTC+8", 8*60*60)))
	srv, err := bestedmtest.Start(bestedmtest.WithClock(clock))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client, err := srv.NewClient() // Client() is for tests: it fails the test on error
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// 1. A contact list.
	list, err := client.Maillist.Create(ctx, &bestedm.MaillistParams{
		Name:   "Spring newsletter",
		Status: bestedm.MaillistEnabled,
	})
	if err != nil {
		log.Fatal(err)
	}

	// 2. Its addresses, sent in batches.
	var people []bestedm.Address
	for i := 1; i <= 100; i++ {
		people = append(people, bestedm.Address{Email: fmt.Sprintf("reader%d@example.com", i), Name: fmt.Sprintf("Reader %d", i)})
	}
	added, err := client.Maillist.AddAddresses(ctx, list.ID, slices.Values(people), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("addresses added:", added.Added)

	// 3. A template with a tracked link.
	tpl, err := client.Template.Create(ctx, &bestedm.TemplateParams{
		Name:     "Spring",
		Subjects: []string{"Spring is here, {$fullname}"},
		Content:  `<p>Dear {$fullname}, <a href="https://www.example.com/spring">see what is new</a>.</p>`,
	})
	if err != nil {
		log.Fatal(err)
	}

	// 4. A task that sends the template to the list now, tracking opens and clicks.
	created, err := client.Task.Create(ctx, &bestedm.TaskParams{
		TemplateIDs:  []int64{tpl.ID},
		SendAccount:  "marketing@mail.example.com",
		SendFullname: "Example Shop",
		MaillistID:   list.ID,
		Status:       bestedm.TaskSendNow,
		Time:         clock.Now(),
		TrackStatus:  bestedm.TrackOpensAndClicks,
	})
	if err != nil {
		log.Fatal(err)
	}

	// 5. Wait until it is delivered.
	for {
		task, err := client.Task.Get(ctx, created.ID)
		if err != nil {
			log.Fatal(err)
		}
		if task.SendStatus == bestedm.SendFinished {
			fmt.Printf("task %d sent %d messages\n", task.ID, task.SendCount)
			break
		}
		clock.Advance(time.Minute) // against the real service: time.Sleep(time.Minute)
	}
	clock.Advance(24 * time.Hour) // a day for the recipients to read it

	// 6. The report: delivery statistics and tracking numbers.
	batches, err := client.Statistic.Batches(ctx, &bestedm.BatchListOptions{TaskID: created.ID})
	if err != nil {
		log.Fatal(err)
	}
	for _, b := range batches {
		fmt.Printf("batch %s: %d delivered, %d failed\n", b.TaskIdent, b.Success, b.Failed)
	}
	track, err := client.Track.Overview(ctx, bestedm.TaskByID(created.ID))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("opened by %d, clicked by %d\n", track.OpenUnique, track.ClickUnique)
	// Output:
	// addresses added: 100
	// task 19448 sent 100 messages
	// batch 20240520-272-42D550: 97 delivered, 3 failed
	// opened by 8, clicked by 5
}
