package bestedmtest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
)

// TestSDKClient checks the SDK's own decoding against the fake's replies,
// through the calls the SDK already has (the others are written elsewhere).
func TestSDKClient(t *testing.T) {
	s := newTest(t)
	ctx := context.Background()
	c := s.Client(bestedm.WithRetry(bestedm.RetryPolicy{}))
	assert.Equal(t, s.URL(), c.BaseURL().String())

	info, err := c.Account.CustomerInfo(ctx)
	require.NoError(t, err)
	assert.Equal(t, s.Customer().CustomerID, info.ID)
	assert.Equal(t, "深圳市示例科技有限公司", info.Company)
	svc, err := c.Account.ServiceInfo(ctx)
	require.NoError(t, err)
	assert.Equal(t, bestedm.ServiceEnabled, svc.Status)
	assert.True(t, svc.ExpirationDate.IsZero(), "0000-00-00 is the zero time")
	assert.Less(t, svc.QuotaLeft, svc.QuotaBought)

	q := s.Client(bestedm.WithAuthMode(bestedm.AuthQuery))
	_, err = q.Account.CustomerInfo(ctx)
	require.NoError(t, err)
	assert.Equal(t, AuthSchemeQuery, s.Requests()[len(s.Requests())-1].Auth)

	for _, f := range []Fault{GBKBody(), BOMBody()} {
		s.Fail(Match{Script: "account.php"}, 1, f)
		got, err := c.Account.CustomerInfo(ctx)
		require.NoError(t, err, f.String())
		assert.Equal(t, info, got, f.String())
	}

	s.Fail(Match{}, 1, HTTPStatus(503))
	_, err = c.Account.CustomerInfo(ctx)
	var he *bestedm.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 503, he.StatusCode)

	for _, f := range []Fault{TruncatedBody(), MalformedBody(), EmptyBody()} {
		s.Fail(Match{}, 1, f)
		_, err = c.Account.CustomerInfo(ctx)
		var de *bestedm.DecodeError
		assert.ErrorAs(t, err, &de, f.String())
	}

	s.Fail(Match{}, 1, Delay(time.Second))
	short := s.Client(bestedm.WithRetry(bestedm.RetryPolicy{}), bestedm.WithTimeout(50*time.Millisecond))
	_, err = short.Account.CustomerInfo(ctx)
	var re *bestedm.RequestError
	assert.ErrorAs(t, err, &re)

	bad, err := bestedm.NewClient(s.Customer().Username, "wrong-password", bestedm.WithBaseURL(s.URL()), bestedm.WithRetry(bestedm.RetryPolicy{}))
	require.NoError(t, err)
	_, err = bad.Account.CustomerInfo(ctx)
	assert.True(t, errors.Is(err, bestedm.ErrUnauthorized), "%v", err)

	m := s.ManagerClient()
	_, err = m.Account.CustomerInfo(ctx)
	var ae *bestedm.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, bestedm.StatusPermissionDenied, ae.Status)
}

func TestStartAndClose(t *testing.T) {
	s, err := Start(WithAddr("127.0.0.1:0"), WithSeed(3))
	require.NoError(t, err)
	c := s.Client()
	_, err = c.Account.CustomerInfo(context.Background())
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close twice")
	_, err = c.Account.CustomerInfo(context.Background())
	assert.Error(t, err)

	_, err = Start(WithAddr("256.0.0.1:1"))
	assert.Error(t, err)
}

// fatalTB records Fatalf instead of stopping the goroutine.
type fatalTB struct {
	testing.TB
	fatal []string
}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.fatal = append(f.fatal, fmt.Sprintf(format, args...))
}

func TestClientInvalidOption(t *testing.T) {
	bad := bestedm.WithBaseURL("ftp://127.0.0.1/")
	_, wantErr := bestedm.NewClient("u", "p", bad)
	require.Error(t, wantErr, "the option must be invalid for this test")

	// From NewServer: the test fails through its TB.
	s := NewServer(t)
	tb := &fatalTB{TB: t}
	s.tb = tb
	assert.Nil(t, s.Client(bad))
	assert.Nil(t, s.ManagerClient(bad))
	assert.Equal(t, []string{"bestedmtest: client: " + wantErr.Error(), "bestedmtest: client: " + wantErr.Error()}, tb.fatal)
	s.tb = t
	assert.NotNil(t, s.Client(), "valid options: a client, no failure")

	// From Start: Client panics; NewClient returns the error.
	p, err := Start()
	require.NoError(t, err)
	defer p.Close()
	assert.PanicsWithValue(t, "bestedmtest: client: "+wantErr.Error()+" (NewClient returns this error instead of panicking)",
		func() { p.Client(bad) })
	assert.Panics(t, func() { p.ManagerClient(bad) })
	_, err = p.NewClient(bad)
	assert.EqualError(t, err, wantErr.Error())
	_, err = p.NewManagerClient(bad)
	assert.EqualError(t, err, wantErr.Error())
	m, err := p.NewManagerClient()
	require.NoError(t, err)
	_, err = m.Domain.ForCustomer(p.Customer().CustomerID).List(context.Background())
	assert.NoError(t, err, "the manager client logs in as the administrator")
}
