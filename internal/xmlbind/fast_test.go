package xmlbind

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

type fuzzRec struct {
	ID    int64     `xml:"id"`
	Name  string    `xml:"name"`
	When  time.Time `xml:"when"`
	Ratio float64   `xml:"ratio"`
	Tags  []string  `xml:"tag"`
	On    bool      `xml:"on"`
	Sub   struct {
		A string `xml:"a"`
	} `xml:"sub"`
	Items []string `xml:"items>item"`
}

// outcome is what one decoding produced: the records and leaves in order,
// and whether (and after how many records) it failed.
type outcome struct {
	Events []string
	Failed bool
	Err    string // the error's text, which must match too
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

var testLoc = time.FixedZone("UTC+8", 8*3600)

func list(events *[]string) List {
	return List{Root: "data", Child: "rec", Leaf: func(name, text string) error {
		*events = append(*events, "leaf "+name+"="+text)
		return nil
	}}
}

func fastOutcome(doc []byte, chunk int) outcome {
	b := &Binder{Location: testLoc}
	var ev []string
	var r io.Reader = bytes.NewReader(doc)
	if chunk > 0 {
		r = iotest.OneByteReader(r)
		if chunk > 1 {
			r = &chunkReader{r: bytes.NewReader(doc), n: chunk}
		}
	}
	newRec := func() any { return new(fuzzRec) }
	emit := func(rec any) bool { ev = append(ev, fmt.Sprintf("%+v", *rec.(*fuzzRec))); return true }
	err := b.Records(r, false, list(&ev), newRec, emit)
	var ss *SlowStartError
	if errors.As(err, &ss) {
		replay, _ := io.ReadAll(ss.Replay)
		if !bytes.Equal(replay, doc) {
			return outcome{Events: []string{"REPLAY DIFFERS"}, Failed: true}
		}
		return slowOutcome(doc)
	}
	return outcome{Events: ev, Failed: err != nil, Err: errText(err)}
}

func slowOutcome(doc []byte) outcome {
	b := &Binder{Location: testLoc}
	var ev []string
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") {
			return in, nil
		}
		return nil, errors.New("charset")
	}
	start, err := Root(d)
	if err != nil || start.Name.Local != "data" {
		return outcome{Failed: true, Err: errText(err)}
	}
	newRec := func() any { return new(fuzzRec) }
	emit := func(rec any) bool { ev = append(ev, fmt.Sprintf("%+v", *rec.(*fuzzRec))); return true }
	err = b.SlowRecords(d, start, list(&ev), newRec, emit)
	return outcome{Events: ev, Failed: err != nil, Err: errText(err)}
}

type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

var diffSeeds = []string{
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<data>\r\n<total_num>2</total_num>\r\n<rec>\r\n<id>1</id>\r\n<name><![CDATA[张三]]></name>\r\n<when>2012-03-02 12:00:00</when>\r\n<ratio>12.5%</ratio>\r\n<tag>a</tag><tag>b</tag><on>1</on>\r\n</rec>\r\n<rec><id> 2 </id><name> x\r\ny </name><when>0000-00-00 00:00:00</when><ratio></ratio></rec>\r\n</data>\r\n",
	"<data><rec><id>1</id><sub><a>z</a></sub><items><item>1</item><item>2</item></items></rec></data>",
	"<data><rec><id>1</id><name>a &amp; b</name></rec></data>",
	"<data><rec><id>1</id><name a=\"1\">n</name></rec></data>",
	"<data><rec><id>1</id><!-- c --><name>n</name></rec></data>",
	"<data><rec><id>x</id></rec></data>",
	"<data><rec><id>1</id></rec>",
	"<data><rec><id>1</id></rec></other>",
	"<data><rec><id>1</ID></rec></data>",
	"<data><rec><name>a]]>b</name></rec></data>",
	"<data><rec><name>a]b</name></rec></data>",
	"<data><rec><name>\x01</name></rec></data>",
	"<data><rec><name>\xff</name></rec></data>",
	"<data><rec><name>a<![CDATA[ b\r\n ]]>c\r</name></rec></data>",
	"<result><status>err</status></result>",
	"<?xml version=\"1.0\" encoding=\"GBK\"?><data></data>",
	"<data>text<rec><id>3</id></rec></data>",
	"<data><rec><unknown><x>1</x></unknown><id>4</id></rec><other><y/></other></data>",
	"<data><rec><id>5</id><name/></rec></data>",
	"<data></data>",
	"",
	"<data><rec><when>2012-7-4 16:08</when></rec></data>",
	// Errors after a hand-over, several lines in: the line must be the
	// one encoding/xml gives for the whole document.
	"<?xml version=\"1.0\"?>\n<data>\n<rec><id>1</id></rec>\n<rec>\n<id>2</id>\n</rec>\n<rec><id>3</id></rec>\n<rec><id>4</ID></rec>\n</data>\n",
	"<data>\r\n<rec><id>1</id></rec>\r\n<rec><id>2</id></rec>\r\n<rec><name>a &bogus; b</name></rec>\r\n</data>",
	"<data>\n<rec><id>1</id></rec>\n<rec><id>2</id></rec>\n<rec><id>3</id>\n<name>x</name>\n</rec>\n<rec><id>4</id>",
}

func TestFastMatchesEncodingXML(t *testing.T) {
	for _, seed := range diffSeeds {
		want := slowOutcome([]byte(seed))
		for _, chunk := range []int{0, 1, 3, 7} {
			got := fastOutcome([]byte(seed), chunk)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("chunk %d, input %q:\n fast %+v\n slow %+v", chunk, seed, got, want)
			}
		}
	}
}

func TestFastLargeDocumentSpansBuffers(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<data>\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&sb, "<rec>\r\n<id>%d</id>\r\n<name><![CDATA[用户%d]]></name>\r\n<when>2012-03-02 12:00:%02d</when>\r\n</rec>\r\n", i, i, i%60)
	}
	sb.WriteString("</data>")
	doc := []byte(sb.String())
	want := slowOutcome(doc)
	got := fastOutcome(doc, 0)
	if want.Failed || len(want.Events) != 20000 || !reflect.DeepEqual(got, want) {
		t.Fatalf("fast decoding differs: %d vs %d events, failed %v/%v", len(got.Events), len(want.Events), got.Failed, want.Failed)
	}
}

func FuzzFastMatchesEncodingXML(f *testing.F) {
	for _, s := range diffSeeds {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, doc []byte, chunk uint8) {
		want := slowOutcome(doc)
		got := fastOutcome(doc, int(chunk%9))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("input %q chunk %d:\n fast %+v\n slow %+v", doc, chunk%9, got, want)
		}
	})
}
