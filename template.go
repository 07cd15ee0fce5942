package bestedm

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TemplateService handles mail templates and their attachments (doc §5).
type TemplateService service

// TransferEncoding is how a template's mail is encoded when sent
// (encoding, doc §5.2).
type TransferEncoding string

// Values of TransferEncoding.
const (
	EncodingBase64          TransferEncoding = "base64"
	EncodingQuotedPrintable TransferEncoding = "quoted-printable"
)

// Template is a mail template (doc §5.3).
type Template struct {
	ID          int64        `xml:"id"`
	UserID      int64        `xml:"user_id"` // the owning account
	Name        string       `xml:"name"`
	Subjects    []Subject    `xml:"subject"` // every subject line (doc §5.2 allows several)
	Content     string       `xml:"content"`
	ContentType string       `xml:"content_type"` // as the server names it; not documented
	Attachments []Attachment `xml:"attachments>attachment"`
	Created     time.Time    `xml:"created"`
	Updated     time.Time    `xml:"updated"` // zero if never updated
}

// Subject is one subject line of a template.
type Subject struct {
	ID   int64  `xml:"id"`
	Name string `xml:"name"` // the subject text
}

// Attachment is a file attached to a template.
type Attachment struct {
	ID   int64  `xml:"atta_id"`
	Name string `xml:"atta_name"` // the file name
}

// TemplateParams describes a new template (doc §5.2). Name, one subject
// and Content are required.
type TemplateParams struct {
	Name string `url:"name"`
	// Subjects are the subject lines, sent joined by "|", so none may
	// contain "|".
	Subjects    []string         `url:"subject" del:"|"`
	Content     string           `url:"content"`                // the HTML body
	TextContent string           `url:"text_content,omitempty"` // shown when HTML cannot be
	Encoding    TransferEncoding `url:"encoding,omitempty"`
	// Attachments are streamed in the request body, under "file" when
	// there is one and "file[]" when there are several.
	Attachments []File `url:"-"`
}

// TemplateUpdateParams changes a template (doc §5.5): at least one of
// Name, Subjects and Content must be set. Empty fields are not sent.
type TemplateUpdateParams struct {
	Name        string           `url:"name,omitempty"`
	Subjects    []string         `url:"subject,omitempty" del:"|"` // replace all subject lines
	Content     string           `url:"content,omitempty"`
	TextContent string           `url:"text_content,omitempty"`
	Encoding    TransferEncoding `url:"encoding,omitempty"`
}

// tplFieldOrder fixes the order of multipart fields: the server reads them
// by name, but a fixed order keeps requests reproducible.
var tplFieldOrder = []string{"name", "subject", "content", "text_content", "encoding"}

// Create uploads a new template with its attachments; Result.ID is the new
// template's id, which the reply carries in <id> or as the whole of <data>
// (doc §5.2). A success reply without it is a *DecodeError.
//
// API: template.php?do=add-tpl (doc §5.2)
func (s *TemplateService) Create(ctx context.Context, p *TemplateParams) (*Result, error) {
	if p == nil {
		p = &TemplateParams{}
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	v, err := s.api().encodeParams(p)
	if err != nil {
		return nil, err
	}
	fields := make([]formField, 0, len(v))
	for _, k := range tplFieldOrder {
		if vals, ok := v[k]; ok {
			fields = append(fields, formField{name: k, value: vals[0]})
		}
	}
	return s.upload(ctx, "add-tpl", nil, p.Attachments, fields, idElementOrData)
}

// List returns every template.
//
// API: template.php?do=list-tpl (doc §5.3)
func (s *TemplateService) List(ctx context.Context) ([]Template, error) {
	return fetchList[Template](ctx, s.api(), get("template.php", "list-tpl", nil), "template_list", "template")
}

// Get returns the template with the given id; the error is a
// *NotFoundError when there is none.
//
// API: template.php?do=list-tpl&tpl_id=N (doc §5.3)
func (s *TemplateService) Get(ctx context.Context, id int64) (*Template, error) {
	if err := requireID("tpl_id", id); err != nil {
		return nil, err
	}
	r := get("template.php", "list-tpl", idQuery("tpl_id", id))
	tpls, err := fetchList[Template](ctx, s.api(), r, "template_list", "template")
	if err != nil {
		return nil, itemErr("template", byNum(id), err)
	}
	// Match the id: a server that ignored tpl_id would list them all.
	for i := range tpls {
		if tpls[i].ID == id {
			return &tpls[i], nil
		}
	}
	return nil, s.api().notFound(r, "template", byNum(id))
}

// Delete deletes a template.
//
// API: template.php?do=del-tpl (doc §5.4)
func (s *TemplateService) Delete(ctx context.Context, id int64) (*Result, error) {
	if err := requireID("tpl_id", id); err != nil {
		return nil, err
	}
	return s.api().execItem(ctx, getWrite("template.php", "del-tpl", idQuery("tpl_id", id)), "template", byNum(id))
}

// Update changes a template; only the fields set in p are sent. The text
// goes in a form-encoded POST body, never in the URL (where it would be
// length-limited and written to access logs); tpl_id stays in the query.
//
// API: template.php?do=edit-tpl (doc §5.5)
func (s *TemplateService) Update(ctx context.Context, id int64, p *TemplateUpdateParams) (*Result, error) {
	if p == nil {
		p = &TemplateUpdateParams{}
	}
	if err := firstInvalid(requireID("tpl_id", id), p.validate()); err != nil {
		return nil, err
	}
	form, err := s.api().encodeParams(p)
	if err != nil {
		return nil, err
	}
	return s.api().execItem(ctx, postForm("template.php", "edit-tpl", idQuery("tpl_id", id), form), "template", byNum(id))
}

// AddAttachments uploads files and attaches them to a template, one
// request a file, each under the form field "file": the document names the
// field "file" for one file and "file[]" for several, a production client
// sends several files all under "file", and one file under "file" is what
// both agree on (docs/wire-format.md#attachment-field). Every file is
// checked before the first is sent; the files are then sent in order, and
// the Result is the last one's. When one fails the rest are not sent, and
// the error says how many were attached before it (wrapping the failure,
// so errors.As still finds an *APIError).
//
// API: template.php?do=tpl-attachment-add (doc §5.6)
func (s *TemplateService) AddAttachments(ctx context.Context, id int64, files ...File) (*Result, error) {
	if err := requireID("tpl_id", id); err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, &ValidationError{Field: "file", Reason: "at least one file is required"}
	}
	if _, err := newUpload("file", files); err != nil {
		return nil, err
	}
	var res *Result
	for i, f := range files {
		r, err := s.upload(ctx, "tpl-attachment-add", idQuery("tpl_id", id), []File{f}, nil, idOptional)
		if err != nil {
			if len(files) == 1 {
				return nil, err
			}
			return nil, fmt.Errorf("attaching %q to template %d (%d of %d files attached): %w", f.Name, id, i, len(files), err)
		}
		res = r
	}
	return res, nil
}

// DeleteAttachment deletes one attachment of a template. The server's
// default for a missing attachment_id is "all", so 0 is refused rather
// than left out: a forgotten id must not delete every attachment
// (DeleteAttachments does that, by name).
//
// API: template.php?do=tpl-attachment-del (doc §5.7)
func (s *TemplateService) DeleteAttachment(ctx context.Context, id, attachmentID int64) (*Result, error) {
	if err := firstInvalid(requireID("tpl_id", id), requireID("attachment_id", attachmentID)); err != nil {
		return nil, err
	}
	q := idQuery("tpl_id", id)
	q.Set("attachment_id", itoa(attachmentID))
	// The reply does not say whether the template or the attachment is
	// missing.
	return s.api().execItem(ctx, getWrite("template.php", "tpl-attachment-del", q), "attachment", itemID{num: attachmentID, text: itoa(attachmentID) + " of template " + itoa(id)})
}

// DeleteAttachments deletes every attachment of a template. It sends
// attachment_id=all rather than leaving it out, though that is the
// server's default, so the request says what it does.
//
// API: template.php?do=tpl-attachment-del&attachment_id=all (doc §5.7)
func (s *TemplateService) DeleteAttachments(ctx context.Context, id int64) (*Result, error) {
	if err := requireID("tpl_id", id); err != nil {
		return nil, err
	}
	q := idQuery("tpl_id", id)
	q.Set("attachment_id", "all")
	return s.api().execItem(ctx, getWrite("template.php", "tpl-attachment-del", q), "template", byNum(id))
}

// upload sends a multipart write call: the fields, then the files under
// "file" for one and "file[]" for several, as doc §5.2 asks (add-tpl; no
// production client is known to send it several files).
func (s *TemplateService) upload(ctx context.Context, action string, q url.Values, files []File, fields []formField, rule idRule) (*Result, error) {
	field := "file"
	if len(files) > 1 {
		field = "file[]"
	}
	up, err := newUpload(field, files, fields...)
	if err != nil {
		return nil, err
	}
	return s.api().execReply(ctx, postUpload("template.php", action, q, up), rule)
}

func (p *TemplateParams) validate() error {
	subjects := tplCheckSubjects(p.Subjects)
	if len(p.Subjects) == 0 {
		subjects = &ValidationError{Field: "subject", Reason: "at least one subject is required"}
	}
	return firstInvalid(requireString("name", p.Name), subjects,
		requireString("content", p.Content), tplCheckEncoding(p.Encoding))
}

func (p *TemplateUpdateParams) validate() error {
	if p.Name == "" && len(p.Subjects) == 0 && p.Content == "" {
		return &ValidationError{Arg: "TemplateUpdateParams", Reason: "nothing to change: set at least one of Name, Subjects and Content"}
	}
	var name, content error
	if p.Name != "" {
		name = requireString("name", p.Name) // blank is refused, not sent
	}
	if p.Content != "" {
		content = requireString("content", p.Content)
	}
	return firstInvalid(name, tplCheckSubjects(p.Subjects), content, tplCheckEncoding(p.Encoding))
}

// tplCheckSubjects refuses subjects the "|"-joined form cannot carry.
func tplCheckSubjects(subjects []string) error {
	for i, sub := range subjects {
		if strings.TrimSpace(sub) == "" {
			return &ValidationError{Field: "subject", Reason: fmt.Sprintf("subject %d is empty", i+1)}
		}
		if strings.Contains(sub, "|") {
			return &ValidationError{Field: "subject", Reason: fmt.Sprintf("subject %q contains \"|\", the separator of subjects", sub)}
		}
	}
	return nil
}

func tplCheckEncoding(e TransferEncoding) error {
	switch e {
	case "", EncodingBase64, EncodingQuotedPrintable:
		return nil
	}
	return &ValidationError{Field: "encoding", Reason: fmt.Sprintf("must be %q or %q, got %q", EncodingBase64, EncodingQuotedPrintable, e)}
}
