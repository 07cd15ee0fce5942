package bestedm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"time"
	"unicode/utf8"
)

// Sex is an address holder's sex.
type Sex string

// Values of Sex.
const (
	SexMale   Sex = "M"
	SexFemale Sex = "F"
)

// Address is an address of a contact list: a record of ListAddresses and
// the input of AddAddress, AddAddresses and UpdateAddress (where ID, ListID
// and Time are ignored and empty fields are not sent).
type Address struct {
	ID     int64  `xml:"id"`
	ListID int64  `xml:"list_id"`
	Email  string `xml:"address"`
	Name   string `xml:"fullname"`
	Sex    Sex    `xml:"sex"`
	// Birthday is a calendar date. It is sent as written, in its own
	// location, not converted to the server's zone: a date has no instant.
	Birthday time.Time `xml:"brithday|birthday"` // sic: the document's sample spells brithday, its prose birthday; both are read
	Phone    string    `xml:"phone"`
	Area     string    `xml:"area"`
	Time     time.Time `xml:"time"` // when the address was added
	Var1     string    `xml:"var1"` // Var1…Var10: the template variables
	Var2     string    `xml:"var2"`
	Var3     string    `xml:"var3"`
	Var4     string    `xml:"var4"`
	Var5     string    `xml:"var5"`
	Var6     string    `xml:"var6"`
	Var7     string    `xml:"var7"`
	Var8     string    `xml:"var8"`
	Var9     string    `xml:"var9"`
	Var10    string    `xml:"var10"`
}

// addrFieldNames are the API names of addrFields, in the order of a line
// of the batch format (doc §4.9.2).
var addrFieldNames = [16]string{"address", "fullname", "sex", "birthday", "phone", "area",
	"var1", "var2", "var3", "var4", "var5", "var6", "var7", "var8", "var9", "var10"}

// birthdayField is the birthday's index in addrFieldNames: the one field
// that is not text.
const birthdayField = 3

// textFields returns a's input fields in the order of addrFieldNames, the
// birthday left empty: a date holds no separator, and formatting it
// allocates, which AddAddresses must not do per address.
func (a *Address) textFields() [16]string {
	return [16]string{a.Email, a.Name, string(a.Sex), "", a.Phone, a.Area,
		a.Var1, a.Var2, a.Var3, a.Var4, a.Var5, a.Var6, a.Var7, a.Var8, a.Var9, a.Var10}
}

// fields returns a's input fields as text, in the order of addrFieldNames.
func (a *Address) fields() [16]string {
	f := a.textFields()
	if !a.Birthday.IsZero() {
		f[birthdayField] = a.Birthday.Format(time.DateOnly)
	}
	return f
}

// values returns the set input fields of a as parameters.
func (a *Address) values(v url.Values) url.Values {
	for i, f := range a.fields() {
		if f != "" {
			v.Set(addrFieldNames[i], f)
		}
	}
	return v
}

// check validates a as input: the address (when required or set) and sex.
func (a *Address) check(requireEmail bool) error {
	if requireEmail || a.Email != "" {
		if err := checkEmail("address", a.Email); err != nil {
			return err
		}
	}
	if a.Sex != "" && a.Sex != SexMale && a.Sex != SexFemale {
		return &ValidationError{Field: "sex", Reason: fmt.Sprintf("%q is neither M nor F", a.Sex)}
	}
	if !a.Birthday.IsZero() {
		if err := checkYear("birthday", a.Birthday); err != nil {
			return err
		}
	}
	for i, f := range a.textFields() {
		if err := checkStoredText(addrFieldNames[i], f, MaxFieldBytes); err != nil {
			return err
		}
	}
	return nil
}

// Longest values the SDK sends for storage: production keeps longer ones,
// and then no reply that holds them can be read. A field
// of MaxFieldBytes, even escaped, keeps an address inside the size a reply
// record may have.
const (
	MaxFieldBytes    = 32 << 10 // one field of an Address
	MaxListNameBytes = 255      // a list's name (MaillistParams.Name)
)

// checkStoredText refuses what production stores but cannot give back: a
// control character (other than tab, CR and LF), which XML 1.0 cannot
// carry or the server refuses to write; bytes
// that are not UTF-8; more than max bytes. The reason quotes no value: it
// may be huge.
func checkStoredText(field, s string, max int) error {
	if len(s) > max {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("is %d bytes long, longer than %d", len(s), max)}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf { // the usual byte: no rune to decode
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				return controlChar(field, rune(c), i)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return &ValidationError{Field: field, Reason: fmt.Sprintf("is not valid UTF-8 (byte 0x%02x at offset %d)", c, i)}
		}
		if r >= 0x80 && r <= 0x9f {
			return controlChar(field, r, i)
		}
		i += n
	}
	return nil
}

func controlChar(field string, r rune, at int) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(
		"holds the control character %q at offset %d, which the server stores but cannot give back", r, at)}
}

// AddressListOptions filter ListAddresses.
type AddressListOptions struct {
	// ListID selects a list: nil for the addresses of all lists,
	// bestedm.Ptr[int64](0) for unclassified addresses, else that list. A
	// pointer, because the API gives 0 its own meaning.
	ListID    *int64 `url:"list_id,omitempty"`
	AddressID int64  `url:"address_id,omitempty"` // one address (not in the document; docs/wire-format.md#ml-addr-list-address-id)
	Keyword   string `url:"keyword,omitempty"`    // matched in address and fullname
	// Page counts from 1; 0 asks for every match at once.
	Page  int `url:"page,omitempty"`
	Limit int `url:"limit,omitempty"` // per page; the server's default is 50
}

const defaultAddressLimit = 50

// ListAddressesPage returns one page of addresses, with Total the number of
// matches on all pages (TotalKnown is true when the server sent it, as it
// does, even when it is 0).
//
// API: mloperate.php?do=ml-addr-list (doc §4.8)
func (s *MaillistService) ListAddressesPage(ctx context.Context, opts *AddressListOptions) (*Page[Address], error) {
	return s.listAddressesPage(ctx, opts, keepList)
}

// listAddressesPage is ListAddressesPage within the budget k (keepPage for
// the pages ListAddresses yields and drops).
func (s *MaillistService) listAddressesPage(ctx context.Context, opts *AddressListOptions, k keep) (*Page[Address], error) {
	if opts != nil {
		if opts.ListID != nil && *opts.ListID < 0 {
			return nil, &ValidationError{Field: "list_id", Reason: fmt.Sprintf("must not be negative, got %d", *opts.ListID)}
		}
		if opts.AddressID < 0 {
			return nil, &ValidationError{Field: "address_id", Reason: fmt.Sprintf("must not be negative, got %d", opts.AddressID)}
		}
		if err := checkPage(opts.Page, opts.Limit); err != nil {
			return nil, err
		}
	}
	query, err := s.api().encodeParams(opts)
	if err != nil {
		return nil, err
	}
	return fetchPage[Address](ctx, s.api(), get(mlScript, "ml-addr-list", query), "data", "addr", k)
}

// ListAddresses yields every address matching opts, fetching page
// after page (from opts.Page, or 1) of opts.Limit addresses (default 50).
// opts is copied; an error ends the sequence.
//
// API: mloperate.php?do=ml-addr-list (doc §4.8)
func (s *MaillistService) ListAddresses(ctx context.Context, opts *AddressListOptions) iter.Seq2[Address, error] {
	var o AddressListOptions
	if opts != nil {
		o = *opts
		if o.ListID != nil {
			id := *o.ListID
			o.ListID = &id
		}
	}
	if o.Limit == 0 {
		o.Limit = defaultAddressLimit
	}
	return pages(ctx, o.Page, o.Limit, func(page int) (*Page[Address], error) {
		po := o
		po.Page = page
		p, err := s.listAddressesPage(ctx, &po, keepPage)
		return p, err
	})
}

// AddAddress adds one address to a list; a.Email is required. The
// Result's ID is the new address's id; a success reply without one (in
// <id> or as the whole of <data>) is a *DecodeError.
//
// API: mloperate.php?do=ml-addr-add (doc §4.9.1)
func (s *MaillistService) AddAddress(ctx context.Context, listID int64, a Address) (*Result, error) {
	if err := requireID("list_id", listID); err != nil {
		return nil, err
	}
	if err := a.check(true); err != nil {
		return nil, err
	}
	// return_id=1 always, so that Result.ID is the new id.
	query := a.values(url.Values{"list_id": {itoa(listID)}, "return_id": {"1"}})
	return s.api().execReply(ctx, getWrite(mlScript, "ml-addr-add", query), idElementOrData)
}

// ImportFile uploads a file of addresses into a list. The server imports it
// later, dropping invalid and duplicate addresses.
//
// API: mloperate.php?do=ml-addr-add-file (doc §4.9.3)
func (s *MaillistService) ImportFile(ctx context.Context, listID int64, f File) (*Result, error) {
	if err := requireID("list_id", listID); err != nil {
		return nil, err
	}
	up, err := newUpload("file", []File{f})
	if err != nil {
		return nil, err
	}
	return s.api().exec(ctx, postUpload(mlScript, "ml-addr-add-file", idQuery("list_id", listID), up))
}

// UpdateAddress changes the set fields of an address (ID, ListID and Time
// are ignored); at least one is needed. A field cannot be cleared.
//
// API: mloperate.php?do=ml-addr-edit (doc §4.10)
func (s *MaillistService) UpdateAddress(ctx context.Context, id int64, a Address) (*Result, error) {
	if err := requireID("id", id); err != nil {
		return nil, err
	}
	if err := a.check(false); err != nil {
		return nil, err
	}
	query := a.values(idQuery("id", id))
	if len(query) == 1 {
		return nil, &ValidationError{Arg: "Address", Reason: "nothing to change: set at least one field of the Address"}
	}
	return s.api().execItem(ctx, getWrite(mlScript, "ml-addr-edit", query), "address", byNum(id))
}

// DeleteAddress removes an address.
//
// API: mloperate.php?do=ml-addr-del (doc §4.11)
func (s *MaillistService) DeleteAddress(ctx context.Context, id int64) (*Result, error) {
	if err := requireID("id", id); err != nil {
		return nil, err
	}
	return s.api().execItem(ctx, getWrite(mlScript, "ml-addr-del", idQuery("id", id)), "address", byNum(id))
}

// Empty removes every address of a list; the list itself stays.
//
// API: mloperate.php?do=ml-addr-empty (doc §4.12)
func (s *MaillistService) Empty(ctx context.Context, listID int64) (*Result, error) {
	if err := requireID("list_id", listID); err != nil {
		return nil, err
	}
	return s.api().exec(ctx, getWrite(mlScript, "ml-addr-empty", idQuery("list_id", listID)))
}

// Batch sizes of AddAddresses.
const (
	DefaultBatchSize = 1000
	MaxBatchSize     = 10000
)

// AddressAddOptions tune AddAddresses.
type AddressAddOptions struct {
	// BatchSize is the number of addresses per request: DefaultBatchSize
	// when 0, at most MaxBatchSize.
	BatchSize int
	// OnBatch, when set, is called after each batch the server accepted.
	OnBatch func(AddressBatch)
	// OnInvalid, when set, receives each address Address.Validate refuses,
	// with the *ValidationError Validate returned, and AddAddresses leaves
	// it out and goes on, instead of stopping before the batch it would be
	// in. It is called before the next address is read from addrs, so an
	// importer still knows which row the address came from.
	OnInvalid func(a Address, err error)
}

// AddressBatch is one accepted batch of AddAddresses.
type AddressBatch struct {
	Index  int // the batch's number, counting from 1
	Count  int // the number of addresses in it
	Result *Result
}

// AddressAddReport is what AddAddresses achieved: the batches the server
// accepted, in order, the number of addresses in them, and the number
// left out as invalid (given to AddressAddOptions.OnInvalid).
type AddressAddReport struct {
	Batches []AddressBatch
	Added   int
	Skipped int
}

// AddAddresses adds addresses to a list in batches of opts.BatchSize, one
// request each, reading addrs as it goes: memory stays the size of one
// batch whatever the number of addresses (pass slices.Values(s) for a
// slice). Each batch is validated whole before it is sent: every address
// needs a valid Email, and no field may hold ";", CR or LF, which separate
// the fields and lines of the batch format.
//
// It stops at the first failing batch and returns the report of the
// batches before it (never nil) with an error that names the batch and
// wraps the cause (*APIError, *ValidationError, …). With
// AddressAddOptions.OnInvalid set, an invalid address is handed to it and
// left out instead; if every address is left out, nothing is sent and the
// error is nil.
//
// API: mloperate.php?do=ml-addr-add with ml_addr (doc §4.9.2)
func (s *MaillistService) AddAddresses(ctx context.Context, listID int64, addrs iter.Seq[Address], opts *AddressAddOptions) (*AddressAddReport, error) {
	rep := &AddressAddReport{Batches: []AddressBatch{}}
	if ctx == nil {
		return rep, &ValidationError{Arg: "ctx", Reason: "is nil"}
	}
	if err := requireID("list_id", listID); err != nil {
		return rep, err
	}
	b, err := newAddrBatcher(ctx, s, listID, opts, rep)
	if err != nil {
		return rep, err
	}
	if addrs != nil {
		for a := range addrs {
			if err := b.add(&a); err != nil {
				return rep, err
			}
		}
	}
	if b.seen == 0 {
		return rep, &ValidationError{Field: "ml_addr", Reason: "no address given"}
	}
	return rep, b.flush()
}

// addrBatcher writes addresses into one reused buffer in the batch format
// and sends it whenever it holds size addresses.
type addrBatcher struct {
	s       *MaillistService
	ctx     context.Context
	query   url.Values
	size    int
	onBatch func(AddressBatch)
	invalid func(Address, error)
	rep     *AddressAddReport
	buf     []byte
	count   int // addresses in buf
	seen    int // addresses read so far
}

func newAddrBatcher(ctx context.Context, s *MaillistService, listID int64, opts *AddressAddOptions, rep *AddressAddReport) (*addrBatcher, error) {
	b := &addrBatcher{s: s, ctx: ctx, size: DefaultBatchSize, rep: rep,
		// separate is left to its default, "\n".
		query: url.Values{"list_id": {itoa(listID)}, "addr_type": {"string"}}}
	if opts != nil {
		if opts.BatchSize < 0 || opts.BatchSize > MaxBatchSize {
			return nil, &ValidationError{Arg: "AddressAddOptions.BatchSize", Reason: fmt.Sprintf("must be 0 (default) to %d, got %d", MaxBatchSize, opts.BatchSize)}
		}
		if opts.BatchSize > 0 {
			b.size = opts.BatchSize
		}
		b.onBatch, b.invalid = opts.OnBatch, opts.OnInvalid
	}
	return b, nil
}

// add validates a and appends it as a line; a full batch is sent.
func (b *addrBatcher) add(a *Address) error {
	// The context is checked on every address, not only when a batch is
	// sent: with OnInvalid, a run of invalid addresses sends nothing and
	// would otherwise call back and read on after a cancel.
	if err := b.ctx.Err(); err != nil {
		return b.wrap(err)
	}
	b.seen++
	if err := a.Validate(); err != nil {
		if b.invalid != nil {
			b.rep.Skipped++
			b.invalid(*a, err)
			return nil
		}
		return b.wrap(numbered(b.seen, a, err))
	}
	if b.count > 0 {
		b.buf = append(b.buf, '\n')
	}
	b.buf = appendAddressLine(b.buf, a)
	b.count++
	if b.count == b.size {
		return b.flush()
	}
	return nil
}

// flush sends the buffered batch, if any, and records it.
func (b *addrBatcher) flush() error {
	if b.count == 0 {
		return nil
	}
	form := url.Values{"ml_addr": {string(b.buf)}}
	res, err := b.s.api().exec(b.ctx, postForm(mlScript, "ml-addr-add", b.query, form))
	if err != nil {
		return b.wrap(err)
	}
	br := AddressBatch{Index: len(b.rep.Batches) + 1, Count: b.count, Result: res}
	b.rep.Batches = append(b.rep.Batches, br)
	b.rep.Added += b.count
	b.buf, b.count = b.buf[:0], 0
	if b.onBatch != nil {
		b.onBatch(br)
	}
	return nil
}

// wrap says which batch failed and what was added before it.
func (b *addrBatcher) wrap(err error) error {
	return fmt.Errorf("bestedm: batch %d of ml-addr-add not added (%d addresses in %d earlier batches were): %w",
		len(b.rep.Batches)+1, b.rep.Added, len(b.rep.Batches), err)
}

// Validate reports whether AddAddresses can send a: Email must look like
// an address (one "@", a domain such as example.com, no space or
// separator), Sex must be empty, SexMale or SexFemale, and no field may
// hold ";", CR or LF, which separate the fields and lines of the batch
// format, another control character, bytes that are not UTF-8, or
// more than MaxFieldBytes: production stores those, and then the list
// cannot be read back. The error is a *ValidationError naming the field.
//
// AddAddresses checks every address this way and stops at the first bad
// one, so that nothing is sent half-checked, unless
// AddressAddOptions.OnInvalid takes the bad ones. AddAddress and
// UpdateAddress send fields as separate parameters, so there a field may
// hold ";".
func (a *Address) Validate() error {
	if err := a.check(true); err != nil {
		return err
	}
	for i, f := range a.textFields() {
		if hasBatchSeparator(f) {
			return &ValidationError{Field: addrFieldNames[i], Reason: fmt.Sprintf(
				"%q contains \";\" or a line break, which separate the fields and lines of ml_addr", f)}
		}
	}
	return nil
}

// numbered names the n-th address (from 1) in err, a refusal of Validate.
func numbered(n int, a *Address, err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		who := fmt.Sprintf("address %d", n)
		if a.Email != "" && ve.Field != "address" {
			who += " (" + a.Email + ")"
		}
		ve.Reason = who + ": " + ve.Reason
	}
	return err
}

// appendAddressLine appends a in the batch format,
// address;name;sex;birthday;phone;area;var1;…;var10, without the trailing
// empty fields.
func appendAddressLine(buf []byte, a *Address) []byte {
	f := a.textFields()
	hasBirthday := !a.Birthday.IsZero()
	n := len(f)
	for n > 1 && f[n-1] == "" && (n-1 != birthdayField || !hasBirthday) {
		n--
	}
	for i, v := range f[:n] {
		if i > 0 {
			buf = append(buf, ';')
		}
		if i == birthdayField && hasBirthday {
			buf = a.Birthday.AppendFormat(buf, time.DateOnly)
			continue
		}
		buf = append(buf, v...)
	}
	return buf
}
