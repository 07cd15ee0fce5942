package xmlbind

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type aliasBase struct {
	ID   int64  `xml:"id"`
	Qty  int64  `xml:"qty_remak|qty_remark"`
	Name string `xml:"name"`
}

type aliasOuter struct {
	aliasBase
	Name string `xml:"name"` // the outer field wins the shared name
	IDs  string `xml:"ids"`
}

// Both spellings fill one field, an embedded struct is flattened, and an
// outer field wins a name it shares: on the fast path and the slow one
// alike.
func TestAliasesAndEmbedding(t *testing.T) {
	body := "<list><rec><id>1</id><qty_remak>5</qty_remak><name>a</name><ids>1,2</ids></rec>" +
		"<rec><id>2</id><qty_remark>7</qty_remark></rec></list>"
	want := []aliasOuter{
		{aliasBase: aliasBase{ID: 1, Qty: 5}, Name: "a", IDs: "1,2"},
		{aliasBase: aliasBase{ID: 2, Qty: 7}},
	}
	b := &Binder{Location: china}
	l := List{Root: "list", Child: "rec"}

	var fast []aliasOuter
	err := b.Records(strings.NewReader(body), true, l, func() any { return new(aliasOuter) }, func(rec any) bool {
		fast = append(fast, *rec.(*aliasOuter))
		return true
	})
	require.NoError(t, err)
	assert.Equal(t, want, fast)

	d := xml.NewDecoder(strings.NewReader(body))
	start, err := Root(d)
	require.NoError(t, err)
	var slow []aliasOuter
	err = b.SlowRecords(d, start, l, func() any { return new(aliasOuter) }, func(rec any) bool {
		slow = append(slow, *rec.(*aliasOuter))
		return true
	})
	require.NoError(t, err)
	assert.Equal(t, want, slow)
}
