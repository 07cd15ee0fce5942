package bestedm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/bestedm/bestedm-go"
)

// A client for the account the environment names: BESTEDM_USERNAME,
// BESTEDM_PASSWORD and, when set, BESTEDM_BASE_URL (`bestedm fake` prints
// all three for its test account).
func ExampleNewClientFromEnv() {
	srv, _ := startFake()
	defer srv.Close()
	login := srv.Customer() // as `eval "$(grep ^export fake.env)"` would set them
	for k, v := range map[string]string{"BESTEDM_USERNAME": login.Username, "BESTEDM_PASSWORD": login.Password, "BESTEDM_BASE_URL": srv.URL()} {
		os.Setenv(k, v)
		defer os.Unsetenv(k)
	}

	client, err := bestedm.NewClientFromEnv() // BESTEDM_USERNAME, BESTEDM_PASSWORD, BESTEDM_BASE_URL
	if err != nil {
		log.Fatal(err)
	}
	me, err := client.Account.CustomerInfo(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Username, me.Company)
	// Output:
	// demo 深圳市示例科技有限公司
}

// The checks a program makes on an error, each with errors.Is.
func ExampleErrTimeout() {
	srv, client := startFake()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 0) // already over
	defer cancel()
	_, err := client.Account.CustomerInfo(ctx)
	switch {
	case errors.Is(err, bestedm.ErrValidation):
		fmt.Println("bad input: nothing was sent")
	case errors.Is(err, bestedm.ErrUnauthorized):
		fmt.Println("wrong user name or password")
	case errors.Is(err, bestedm.ErrTimeout):
		fmt.Println("timed out: WithTimeout, the context's deadline or the transport's")
	case errors.Is(err, bestedm.ErrNoTracking):
		fmt.Println("the task exists but has no tracking")
	case errors.Is(err, bestedm.ErrNotFound):
		fmt.Println("no such item")
	case errors.Is(err, bestedm.ErrRateLimited):
		fmt.Println("slow down")
	case errors.Is(err, bestedm.ErrUnexpectedReply):
		fmt.Println("the server answered something else")
	case err != nil:
		fmt.Println("other:", err)
	}
	// Output:
	// timed out: WithTimeout, the context's deadline or the transport's
}
