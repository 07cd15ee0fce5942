package bestedm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"
	"strings"
	"time"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
)

// The examples run against the fake service of package bestedmtest, on a
// fixed clock: its generated data is laid out around that instant, so
// every run prints the same ids, names and figures. Against the real
// service, create the client with bestedm.NewClient and your credentials.

// exampleNow is a Monday afternoon in China, the fake's fixed clock.
var exampleNow = time.Date(2024, 5, 20, 14, 30, 0, 0, time.FixedZone("UTC+8", 8*60*60))

// startFake starts the fake service and returns it with a client of it.
func startFake() (*bestedmtest.Server, *bestedm.Client) {
	srv, err := bestedmtest.Start(bestedmtest.WithSeed(1), bestedmtest.WithClock(bestedmtest.NewClock(exampleNow)))
	if err != nil {
		log.Fatal(err)
	}
	return srv, srv.Client()
}

func ExampleNewClient() {
	srv, _ := startFake()
	defer srv.Close()
	login := srv.Customer() // with an account: os.Getenv("BESTEDM_USERNAME"), …

	client, err := bestedm.NewClient(login.Username, login.Password,
		bestedm.WithBaseURL(srv.URL()), // the default is bestedm.DefaultBaseURL, https://api.bestedm.net/mm-ms/apinew/
		bestedm.WithTimeout(10*time.Second),
	)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	me, err := client.Account.CustomerInfo(ctx)
	if err != nil {
		log.Fatal(err)
	}
	svc, err := client.Account.ServiceInfo(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Username, me.Company)
	fmt.Printf("%s: %d of %d messages left\n", svc.Status, svc.QuotaLeft, svc.QuotaBought)
	// Output:
	// demo 深圳市示例科技有限公司
	// enabled: 499527 of 500000 messages left
}

func ExampleMaillistService_Create() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()

	res, err := client.Maillist.Create(ctx, &bestedm.MaillistParams{
		Name:        "Newsletter",
		Status:      bestedm.MaillistEnabled,
		Description: "readers of the weekly newsletter",
	})
	if err != nil {
		log.Fatal(err)
	}
	list, err := client.Maillist.Get(ctx, res.ID) // Result.ID is the new list's id
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("list %d %q: %s, %d addresses\n", list.ID, list.Name, list.Status, list.Count)
	// Output:
	// list 39 "Newsletter": enabled, 0 addresses
}

func ExampleMaillistService_AddAddresses() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()

	res, err := client.Maillist.Create(ctx, &bestedm.MaillistParams{Name: "Newsletter", Status: bestedm.MaillistEnabled})
	if err != nil {
		log.Fatal(err)
	}
	addrs := []bestedm.Address{
		{Email: "li.lei@example.com", Name: "Li Lei", Sex: bestedm.SexMale},
		{Email: "han.meimei@example.com", Name: "Han Meimei", Sex: bestedm.SexFemale},
		{Email: "lin.tao@example.net", Name: "Lin Tao", Phone: "13800138000"},
		{Email: "jim.green@example.org", Name: "Jim Green", Var1: "gold"},
		{Email: "kate.green@example.org", Name: "Kate Green", Var1: "silver"},
	}
	// Any iter.Seq[Address] will do, read as it goes: a file, a database
	// cursor; slices.Values makes one of a slice.
	rep, err := client.Maillist.AddAddresses(ctx, res.ID, slices.Values(addrs), &bestedm.AddressAddOptions{
		BatchSize: 2, // default 1000
		OnBatch: func(b bestedm.AddressBatch) {
			fmt.Printf("batch %d: %d addresses: %s\n", b.Index, b.Count, b.Result.Message)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d addresses in %d requests\n", rep.Added, len(rep.Batches))
	// Output:
	// batch 1: 2 addresses: 成功添加 2 个地址，过滤无效地址 0 个，重复地址 0 个
	// batch 2: 2 addresses: 成功添加 2 个地址，过滤无效地址 0 个，重复地址 0 个
	// batch 3: 1 addresses: 成功添加 1 个地址，过滤无效地址 0 个，重复地址 0 个
	// 5 addresses in 3 requests
}

func ExampleMaillistService_ListAddresses() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()

	lists, err := client.Maillist.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	vip := lists[1]
	fmt.Printf("%s: %d addresses\n", vip.Name, vip.Count)

	// Pages of 10 are fetched as the loop needs them; breaking out of the
	// loop fetches no more.
	n := 0
	for addr, err := range client.Maillist.ListAddresses(ctx, &bestedm.AddressListOptions{ListID: &vip.ID, Limit: 10}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(addr.Email, addr.Name, addr.Var1)
		if n++; n == 3 {
			break
		}
	}
	// Output:
	// VIP 客户: 25 addresses
	// lei.zhou1@example.com 周磊 普通会员
	// hua.luo2@corp.example.net 罗华 金卡会员
	// jie.lin3@example.net 林杰 银卡会员
}

func ExampleTemplateService_Create() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()

	res, err := client.Template.Create(ctx, &bestedm.TemplateParams{
		Name:     "Welcome",
		Subjects: []string{"Welcome, {$fullname}", "Glad to have you"}, // one is picked per message
		Content:  `<p>Dear {$fullname}, <a href="https://www.example.com/start">start here</a>.</p>`,
		Encoding: bestedm.EncodingBase64,
		// Attachments stream from any io.Reader: a file, a buffer.
		Attachments: []bestedm.File{{Name: "guide.txt", Content: strings.NewReader("How to get started.\n")}},
	})
	if err != nil {
		log.Fatal(err)
	}
	tpl, err := client.Template.Get(ctx, res.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("template %d %q (%s)\n", tpl.ID, tpl.Name, tpl.ContentType)
	for _, s := range tpl.Subjects {
		fmt.Println("subject:", s.Name)
	}
	for _, a := range tpl.Attachments {
		fmt.Println("attachment:", a.Name)
	}
	fmt.Println("created", tpl.Created.Format(time.DateTime), "updated", tpl.Updated.IsZero())
	// Output:
	// template 60 "Welcome" (html)
	// subject: Welcome, {$fullname}
	// subject: Glad to have you
	// attachment: guide.txt
	// created 2024-05-20 14:30:00 updated true
}

func ExampleTaskService_Create() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()

	lists, err := client.Maillist.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	templates, err := client.Template.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	tomorrow := exampleNow.AddDate(0, 0, 1)
	res, err := client.Task.Create(ctx, &bestedm.TaskParams{
		TemplateIDs:  []int64{templates[0].ID},
		SendAccount:  "marketing@mail.example.com",
		SendFullname: "Example Shop",
		MaillistID:   lists[1].ID,
		Time:         time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), 10, 0, 0, 0, tomorrow.Location()),
		TrackStatus:  bestedm.TrackOpensAndClicks,
	})
	if err != nil {
		log.Fatal(err)
	}
	task, err := client.Task.Get(ctx, res.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("task %d (%s) from %s\n", task.ID, task.SN, task.Sender)
	fmt.Printf("sends %q to %q, %d addresses, at %s\n",
		task.Templates[0].Name, task.ListName, task.SendQtyActual, task.SendTime.Format("2006-01-02 15:04"))
	fmt.Println("waiting:", task.SendStatus == bestedm.SendWaiting)
	// Output:
	// task 19448 (20240520-272-42D550) from marketing@mail.example.com
	// sends "春季新品推荐" to "VIP 客户", 25 addresses, at 2024-05-21 10:00
	// waiting: true
}

func ExampleTrackService_Opens() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()

	tasks, err := client.Task.ListPage(ctx, &bestedm.TaskListOptions{SendStatus: bestedm.SendFinished})
	if err != nil {
		log.Fatal(err)
	}
	task := tasks.Items[0]
	fmt.Printf("task %d sent %d messages\n", task.ID, task.SendCount)

	// Opens streams the records as they arrive, however many there are.
	n := 0
	for o, err := range client.Track.Opens(ctx, bestedm.TaskByID(task.ID)) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d opens, the first at %s, on %s (%s) in %s\n", o.Email, o.OpenTotal,
			o.OpenFirst.Format(time.DateTime), o.OS, o.Device, o.AddrFirst.Country())
		if n++; n == 3 {
			break // the rest of the reply is not read
		}
	}
	// Output:
	// task 19437 sent 120 messages
	// jie.zhang2@corp.example.net: 6 opens, the first at 2024-05-11 12:35:51, on Windows 7 (pc) in 中国
	// jie.guo6@corp.example.net: 2 opens, the first at 2024-05-11 10:00:00, on Windows 8 (pc) in 中国
	// qiang.zhao7@example.com: 1 opens, the first at 2024-05-11 17:11:12, on Mac OS X 10.15.7 (pc) in 中国
}

func ExampleExport_Rows() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()

	lists, err := client.Maillist.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	exp, err := client.Maillist.ExportSubscribers(ctx, lists[2].ID)
	if err != nil {
		log.Fatal(err)
	}
	// Rows parses the lines as they stream in, and closes the export at
	// the end. To save the file as sent instead, io.Copy(file, exp) and
	// exp.Close().
	for sub, err := range exp.Rows() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(sub.Email, sub.Name)
	}
	// Output:
	// qiang.xu1@corp.example.net 徐强
	// yan.huang2@corp.example.net 黄艳
	// yan.liu3@mail.example.com 刘艳
	// yong.zhu4@example.org 朱勇
	// ming.he5@example.com 何明
	// tao.wang6@example.net 王涛
	// ping.lin7@example.com 林平
	// yong.hu8@example.org 胡勇
}

func ExampleAPIError() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()

	// The account already has a list with this subject.
	_, err := client.Maillist.Create(ctx, &bestedm.MaillistParams{Name: "新闻订阅", Status: bestedm.MaillistEnabled})

	var apiErr *bestedm.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("status: ", apiErr.Status)
		fmt.Println("message:", apiErr.Message)
		fmt.Println("HTTP:   ", apiErr.HTTPStatus)
		fmt.Println("in use: ", apiErr.Status == bestedm.StatusAddMaillistError)
	}
	fmt.Println(errors.Is(err, bestedm.ErrAPI), errors.Is(err, &bestedm.APIError{Status: bestedm.StatusAddMaillistError}))
	// Output:
	// status:  add_maillist_error
	// message: 联系人分类名称已存在
	// HTTP:    200
	// in use:  true
	// true true
}

func ExampleValidationError() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()

	const listID = 35
	_, err := client.Maillist.AddAddress(ctx, listID, bestedm.Address{Email: "li.lei.example.com"})

	var ve *bestedm.ValidationError
	if errors.As(err, &ve) {
		fmt.Println("field: ", ve.Field) // the API parameter
		fmt.Println("reason:", ve.Reason)
	}
	fmt.Println(err)
	fmt.Println(errors.Is(err, bestedm.ErrValidation))
	fmt.Println("requests sent:", len(srv.Requests())) // caught before sending
	// Output:
	// field:  address
	// reason: "li.lei.example.com" is not an email address
	// bestedm: invalid address: "li.lei.example.com" is not an email address
	// true
	// requests sent: 0
}

func ExampleTaskService_Get() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()

	tasks, err := client.Task.ListPage(ctx, &bestedm.TaskListOptions{SendStatus: bestedm.SendFinished})
	if err != nil {
		log.Fatal(err)
	}
	task, err := client.Task.Get(ctx, tasks.Items[0].ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("task %d (%s) sent %q to %q\n", task.ID, task.SN, task.Templates[0].Name, task.ListName)
	fmt.Printf("%d sent, %d failed, finished at %s\n", task.SendCount, task.ErrorCount, task.TimeEnd.Format(time.DateTime))

	// A task that does not exist is a *NotFoundError, which errors.Is
	// matches to ErrNotFound.
	_, err = client.Task.Get(ctx, 999999)
	fmt.Println("not found:", errors.Is(err, bestedm.ErrNotFound))
	// Output:
	// task 19437 (20240510-272-70835F) sent "会员月刊" to "新闻订阅"
	// 120 sent, 3 failed, finished at 2024-05-11 10:00:12
	// not found: true
}

func ExampleTrackService_Overview() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()

	tasks, err := client.Task.ListPage(ctx, &bestedm.TaskListOptions{SendStatus: bestedm.SendFinished})
	if err != nil {
		log.Fatal(err)
	}
	// The first finished task that tracks opens and clicks.
	i := slices.IndexFunc(tasks.Items, func(t bestedm.Task) bool { return t.TrackStatus == bestedm.TrackOpensAndClicks })
	ov, err := client.Track.Overview(ctx, bestedm.TaskByID(tasks.Items[i].ID))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("task %d: %d delivered of %d sent\n", ov.TaskID, ov.RealSendCount, ov.SendCount)
	fmt.Printf("opened by %d (%.2f%%), %d opens in all\n", ov.OpenUnique, ov.OpenRatio, ov.OpenTotal)
	fmt.Printf("clicked by %d (%.2f%%), %d clicks in all\n", ov.ClickUnique, ov.ClickRatio, ov.ClickTotal)
	for _, l := range ov.Links {
		fmt.Printf("  %s: %d clicks by %d\n", l.URL, l.ClickTotal, l.ClickUnique)
	}
	// Output:
	// task 19438: 23 delivered of 25 sent
	// opened by 2 (8.00%), 2 opens in all
	// clicked by 2 (8.00%), 4 clicks in all
	//   https://www.example.com/spring?utm_source=edm: 2 clicks by 2
	//   https://www.example.com/coupon?id=spring: 2 clicks by 1
	//   https://shop.example.com/: 0 clicks by 0
}

// Two ways to bound how long a call may take: WithTimeout, the longest
// silence the client accepts from the server, and a context deadline, the
// longest a call may take in all. Either way the error is a
// *RequestError. Here the fake is made to stall with a Delay fault on its
// fixed clock, which never moves, so the reply never comes.
func Example_timeout() {
	srv, _ := startFake()
	defer srv.Close()
	srv.FailAlways(bestedmtest.Match{Script: "account.php"}, bestedmtest.Delay(time.Hour))

	client := srv.Client(
		bestedm.WithTimeout(100*time.Millisecond),
		bestedm.WithRetry(bestedm.RetryPolicy{}), // no retries: one attempt, to keep the example short
	)
	_, err := client.Account.CustomerInfo(context.Background())
	var reqErr *bestedm.RequestError
	fmt.Println("no answer within WithTimeout:", errors.As(err, &reqErr))

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = srv.Client().Account.CustomerInfo(ctx)
	fmt.Println("past the context's deadline:", errors.Is(err, context.DeadlineExceeded), errors.As(err, &reqErr))
	// Output:
	// no answer within WithTimeout: true
	// past the context's deadline: true true
}
