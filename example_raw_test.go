package bestedm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/url"

	"github.com/bestedm/bestedm-go"
)

// A call or an element the typed API does not model is one Request away:
// here maillist-list's input_status, which the document does not list,
// read into the caller's own struct, one record at a time. Idempotent
// marks a read, safe to send again after a failure: without it a Request
// is a write, sent once.
func ExampleRecords() {
	srv, client := startFake()
	defer srv.Close()

	type list struct {
		ID          int64  `xml:"id"`
		Name        string `xml:"subject"`
		Count       int    `xml:"count"`
		InputStatus string `xml:"input_status"`
	}
	req := &bestedm.Request{Script: "mloperate.php", Action: "maillist-list", Idempotent: true}
	for l, err := range bestedm.Records[list](context.Background(), client, req, "maillist", "item") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d %s: %d addresses, input_status %s\n", l.ID, l.Name, l.Count, l.InputStatus)
	}
	// Output:
	// 35 新闻订阅: 120 addresses, input_status 0
	// 36 VIP 客户: 25 addresses, input_status 0
	// 37 展会联系人: 8 addresses, input_status 0
	// 38 测试分类: 0 addresses, input_status 0
}

// Do binds a whole reply into the caller's struct; XMLName names the root
// element the reply must have. An error <result> is an *APIError as for
// any typed call.
func ExampleClient_Do() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()

	var reply struct {
		Tasks []struct {
			ID     int64  `xml:"id"`
			Status int    `xml:"send_status"`
			Sender string `xml:"sender_name"`
		} `xml:"task"`
	}
	req := &bestedm.Request{Script: "task.php", Action: "task-list", Params: url.Values{"limit": {"3"}}, Idempotent: true}
	if err := client.Do(ctx, req, &reply); err != nil {
		log.Fatal(err)
	}
	for _, t := range reply.Tasks {
		fmt.Println(t.ID, t.Status, t.Sender)
	}

	err := client.Do(ctx, &bestedm.Request{Script: "task.php", Action: "no-such-action"}, &reply)
	var apiErr *bestedm.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("API error:", apiErr.Status)
	}
	// Output:
	// 19437 3 示例科技
	// 19438 3 示例科技
	// 19439 3 示例科技
	// API error: unknown_action
}
