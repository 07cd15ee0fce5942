package bestedmtest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
)

func ExampleStart() {
	s, err := bestedmtest.Start(bestedmtest.WithSeed(1))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	c := s.Client() // fixed, valid options: it cannot fail
	info, err := c.Account.CustomerInfo(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.Username, info.Company)
	// Output: demo 深圳市示例科技有限公司
}

func ExampleServer_Fail() {
	s, err := bestedmtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// The next account.php request meets a 503 from the proxy.
	s.Fail(bestedmtest.Match{Script: "account.php"}, 1, bestedmtest.HTTPStatus(503))

	c := s.Client(bestedm.WithRetry(bestedm.RetryPolicy{})) // no retries
	_, err = c.Account.CustomerInfo(context.Background())
	var he *bestedm.HTTPError
	if errors.As(err, &he) {
		fmt.Println("HTTP", he.StatusCode)
	}
	_, err = c.Account.CustomerInfo(context.Background())
	fmt.Println(err)

	for _, r := range s.Requests() {
		fmt.Printf("%s?do=%s auth=%s fault=%q\n", r.Script, r.Action, r.Auth, r.Fault)
	}
	// Output:
	// HTTP 503
	// <nil>
	// account.php?do=customer-info auth=basic fault="http 503"
	// account.php?do=customer-info auth=basic fault=""
}

// A Delay on a server with a Clock ends when the test moves the clock: an
// hour's delay costs no real time.
func ExampleClock() {
	clock := bestedmtest.NewClock(time.Date(2024, 5, 20, 14, 30, 0, 0, time.UTC))
	s, err := bestedmtest.Start(bestedmtest.WithClock(clock))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	s.Fail(bestedmtest.Match{Script: "account.php"}, 1, bestedmtest.Delay(time.Hour))

	done := make(chan error)
	go func() {
		_, err := s.Client().Account.CustomerInfo(context.Background())
		done <- err
	}()
	clock.BlockUntil(1) // the request waits on the clock
	clock.Advance(time.Hour)
	fmt.Println(<-done)
	// Output: <nil>
}

// A test seeds the server directly and inspects what the client did.
func ExampleServer_AddList() {
	s, err := bestedmtest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	id := s.AddList(bestedmtest.StoredList{Name: "news"})
	s.AddAddress(bestedmtest.StoredAddress{ListID: id, Email: "li@example.com", Name: "李雷"})

	c := s.Client()
	_, err = c.Maillist.Unsubscribe(context.Background(), id, "li@example.com")
	fmt.Println(err, len(s.Addresses(id)))
	// Output: <nil> 0
}
