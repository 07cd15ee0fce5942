package bestedm

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// followRead follows a 307 or 308 in answer to a read. net/http leaves
// those to its caller because a read's body (noReplayBody) cannot be
// replayed; the hop is checked by the client's CheckRedirect (guardRedirects:
// same host, the caller's policy, at most 10 redirects in all) exactly as
// net/http checks the redirects it follows itself.
func (c *Client) followRead(resp *http.Response) (*http.Response, error) {
	for resp.StatusCode == http.StatusTemporaryRedirect || resp.StatusCode == http.StatusPermanentRedirect {
		loc, err := resp.Location()
		if err != nil {
			return resp, nil // no usable Location: the 3xx is the answer
		}
		prev := resp.Request
		next, err := http.NewRequestWithContext(prev.Context(), prev.Method, loc.String(), nil)
		if err != nil {
			drainClose(resp.Body)
			return nil, err
		}
		next.Header = prev.Header.Clone()
		next.Response = resp
		if err := c.http.CheckRedirect(next, redirectChain(resp)); err != nil {
			if err == http.ErrUseLastResponse {
				return resp, nil
			}
			drainClose(resp.Body)
			return nil, &url.Error{Op: prev.Method[:1] + strings.ToLower(prev.Method[1:]), URL: next.URL.String(), Err: err}
		}
		drainClose(resp.Body)
		if resp, err = c.http.Do(next); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// redirectChain returns the requests that led to resp, first to last, as
// net/http passes them to CheckRedirect.
func redirectChain(resp *http.Response) []*http.Request {
	var via []*http.Request
	for r := resp.Request; r != nil; r = r.Response.Request {
		via = append(via, r)
		if r.Response == nil {
			break
		}
	}
	slices.Reverse(via)
	return via
}
