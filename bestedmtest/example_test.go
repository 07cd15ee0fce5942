package bestedmtest_test

import (
	"context"
	"errors"
	"fmt"
	"log"

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
