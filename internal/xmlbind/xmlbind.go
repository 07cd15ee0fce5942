// Package xmlbind binds the flat, loosely typed XML replies of the bestedm
// API to Go structs.
//
// encoding/xml alone is not enough for these replies: text values carry
// stray whitespace (even inside <status>), times are local wall-clock strings
// such as "2012-03-02 12:00:00" or "0000-00-00 00:00:00" that must be read in
// the client's time zone, numeric elements may be empty, and ratios may carry
// a "%" sign. The binder walks the token stream itself, using `xml:"name"`
// struct tags (and `xml:"wrapper>name"` for nested lists), ignores unknown
// elements, and reports the element and value that could not be read.
package xmlbind

import (
	"encoding/xml"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FieldError reports an element whose text could not be converted.
type FieldError struct {
	Element string // element name, e.g. "open_first"
	Value   string // the trimmed text received (cut to 64 bytes)
	Err     error
}

// Error names the element and the value that could not be read.
func (e *FieldError) Error() string {
	return fmt.Sprintf("element <%s>: cannot read %q: %v", e.Element, e.Value, e.Err)
}

// Unwrap returns the conversion error.
func (e *FieldError) Unwrap() error { return e.Err }

// Binder converts element text to Go values; Location is the time zone that
// server wall-clock times are read in.
type Binder struct {
	Location *time.Location
	// Limits bound what a reply may make the decoders hold (see NewDecoder);
	// the zero value takes the defaults.
	Limits Limits
}

var timeType = reflect.TypeOf(time.Time{})

// field describes how one child element maps to a struct field.
type field struct {
	index   []int
	wrapper string // non-empty for `xml:"wrapper>name"`
}

type plan struct {
	byName    map[string]*field // direct children
	byWrapper map[string]map[string]*field
}

var plans sync.Map // reflect.Type -> *plan; immutable once stored

func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := &plan{byName: map[string]*field{}, byWrapper: map[string]map[string]*field{}}
	p.add(t, nil)
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*plan)
}

// add maps the tagged fields of t, reached through index prefix. An
// embedded struct without a tag is flattened, its fields mapped before the
// outer ones that follow it, so an outer field wins a shared name. A name
// may list alternative spellings, `xml:"send_qty_remak|send_qty_remark"`,
// for elements the server spells more than one way.
func (p *plan) add(t reflect.Type, prefix []int) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		index := append(append([]int(nil), prefix...), sf.Index...)
		tag := sf.Tag.Get("xml")
		if tag == "" && sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Type != timeType {
			p.add(sf.Type, index)
			continue
		}
		if tag == "" || tag == "-" || !sf.IsExported() {
			continue
		}
		names, _, _ := strings.Cut(tag, ",")
		for _, name := range strings.Split(names, "|") {
			if w, n, ok := strings.Cut(name, ">"); ok {
				if p.byWrapper[w] == nil {
					p.byWrapper[w] = map[string]*field{}
				}
				p.byWrapper[w][n] = &field{index: index, wrapper: w}
				continue
			}
			p.byName[name] = &field{index: index}
		}
	}
}

// Root reads tokens up to the first start element and returns it.
func Root(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if len(strings.TrimSpace(string(t))) > 0 {
				// Text a limit cut off is reported as that limit: the
				// decoder returns the run it has, then the guard's error.
				var le *LimitError
				if _, err := d.Token(); errors.As(err, &le) {
					return xml.StartElement{}, err
				}
				return xml.StartElement{}, errors.New("text before the root element")
			}
		}
	}
}

// Element binds the element whose start tag was just read into v, which must
// be a non-nil pointer to a struct, consuming tokens through its end tag.
// The memory it leaves in v is bounded by bu (nil: unbounded, for a record
// whose size the guard already bounds).
func (b *Binder) Element(d *xml.Decoder, start xml.StartElement, v any, bu *Budget) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("xmlbind: Element needs a pointer to a struct, got %T", v)
	}
	return b.structValue(d, start, rv.Elem(), bu)
}

// Budget bounds the memory a decode leaves in the values it fills, which
// the reply's size alone does not: a 60 MiB reply of small repeated
// elements decodes to gigabytes of slice elements. Every element appended
// to a slice costs the capacity the slice grew by, every string its
// length; past Max the decode fails with a *LimitError ("decoded size").
// A Budget is used by one decode at a time.
type Budget struct {
	Max  int64 // bytes the decoded values may hold
	used int64
}

// NewBudget returns a Budget of max bytes.
func NewBudget(max int64) *Budget { return &Budget{Max: max} }

// Spend charges n bytes, failing once the total passes Max. A nil Budget
// charges nothing.
func (bu *Budget) Spend(n int64) error {
	if bu == nil {
		return nil
	}
	bu.used += n
	if bu.used > bu.Max {
		return &LimitError{Limit: "decoded size", Max: bu.Max}
	}
	return nil
}

// Used is what has been charged so far.
func (bu *Budget) Used() int64 {
	if bu == nil {
		return 0
	}
	return bu.used
}

// Children calls fn for each child element of the element whose start tag
// was just read, then consumes its end tag. fn must consume the child
// (with Binder.Element, Text or d.Skip) before returning.
func Children(d *xml.Decoder, fn func(start xml.StartElement) error) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := fn(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

func (b *Binder) structValue(d *xml.Decoder, start xml.StartElement, sv reflect.Value, bu *Budget) error {
	p := planFor(sv.Type())
	return Children(d, func(child xml.StartElement) error {
		name := child.Name.Local
		if f, ok := p.byName[name]; ok {
			return b.value(d, child, sv.FieldByIndex(f.index), bu)
		}
		if inner, ok := p.byWrapper[name]; ok {
			return Children(d, func(gc xml.StartElement) error {
				if f, ok := inner[gc.Name.Local]; ok {
					return b.value(d, gc, sv.FieldByIndex(f.index), bu)
				}
				return d.Skip()
			})
		}
		return d.Skip()
	})
}

// value binds one element into fv, appending when fv is a slice.
func (b *Binder) value(d *xml.Decoder, start xml.StartElement, fv reflect.Value, bu *Budget) error {
	if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() != reflect.Uint8 {
		elem := reflect.New(fv.Type().Elem()).Elem()
		if err := b.value(d, start, elem, bu); err != nil {
			return err
		}
		before := fv.Cap()
		fv.Set(reflect.Append(fv, elem))
		if grown := fv.Cap() - before; grown > 0 {
			return bu.Spend(int64(grown) * int64(fv.Type().Elem().Size()))
		}
		return nil
	}
	if fv.Kind() == reflect.Struct && fv.Type() != timeType {
		return b.structValue(d, start, fv, bu)
	}
	text, err := Text(d)
	if err != nil {
		return err
	}
	if fv.Kind() == reflect.String {
		if err := bu.Spend(int64(len(text))); err != nil {
			return err
		}
	}
	if err := b.Scalar(text, fv); err != nil {
		v := text
		if len(v) > 64 {
			v = v[:64]
		}
		return &FieldError{Element: start.Name.Local, Value: v, Err: err}
	}
	return nil
}

// Text reads the character data (text and CDATA) of the element whose start
// tag was just read, skipping any child elements, and returns it trimmed.
func Text(d *xml.Decoder) (string, error) {
	// The decoder reuses CharData buffers on the next Token call, so text
	// is copied out at once; most elements hold a single run.
	var sb strings.Builder
	var first string
	n := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if n == 0 {
				first = string(t)
			} else {
				if n == 1 {
					sb.WriteString(first)
				}
				sb.Write(t)
			}
			n++
		case xml.StartElement:
			if err := d.Skip(); err != nil {
				return "", err
			}
		case xml.EndElement:
			if n <= 1 {
				return strings.TrimSpace(first), nil
			}
			return strings.TrimSpace(sb.String()), nil
		}
	}
}

// Scalar converts trimmed text into fv (a string, integer, float, bool or
// time.Time kind, named types included).
func (b *Binder) Scalar(text string, fv reflect.Value) error {
	if fv.Type() == timeType {
		t, err := ParseTime(text, b.Location)
		if err != nil {
			return err
		}
		fv.Set(reflect.ValueOf(t))
		return nil
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(text)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if text == "" {
			fv.SetInt(0)
			return nil
		}
		n, err := strconv.ParseInt(text, 10, fv.Type().Bits())
		if err != nil {
			// Some counters arrive as "12.0"; accept whole floats only.
			f, ferr := strconv.ParseFloat(text, 64)
			if ferr != nil || f != float64(int64(f)) {
				return errors.New("not an integer")
			}
			n = int64(f)
		}
		// The float fallback bypasses ParseInt's size check: without this,
		// "300.0" or "300" would wrap silently in an int8 field.
		if fv.OverflowInt(n) {
			return fmt.Errorf("out of range for %s", fv.Type())
		}
		fv.SetInt(n)
	case reflect.Float32, reflect.Float64:
		text = strings.TrimSpace(strings.TrimSuffix(text, "%"))
		if text == "" {
			fv.SetFloat(0)
			return nil
		}
		f, err := strconv.ParseFloat(text, fv.Type().Bits())
		if err != nil {
			return errors.New("not a number")
		}
		fv.SetFloat(f)
	case reflect.Bool:
		switch strings.ToLower(text) {
		case "1", "true", "yes", "on":
			fv.SetBool(true)
		case "", "0", "false", "no", "off":
			fv.SetBool(false)
		default:
			return errors.New("not a boolean")
		}
	default:
		return fmt.Errorf("unsupported field kind %s", fv.Kind())
	}
	return nil
}

// timeLayouts are the wall-clock forms seen in replies; "1" and "2" accept
// one or two digits, so "2012-7-4 16:08" and "2012-07-04 16:08:00" both fit.
var timeLayouts = []string{
	"2006-1-2 15:04:05",
	"2006-1-2 15:04",
	"2006-1-2",
	"2006/1/2 15:04:05",
	"2006/1/2 15:04",
	"2006/1/2",
}

// ParseTime reads a server time in loc. Empty text and the MySQL zero date
// ("0000-00-00", "0000-00-00 00:00:00") give the zero time.Time.
func ParseTime(text string, loc *time.Location) (time.Time, error) {
	if text == "" || strings.HasPrefix(text, "0000-00-00") || strings.HasPrefix(text, "0000/00/00") {
		return time.Time{}, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, text, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("not a time")
}
