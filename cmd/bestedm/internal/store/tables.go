package store

// Table describes one synced table of migrations/: its columns in the
// order rows give them, how many leading columns are its primary key, and
// how many leading columns name the set of rows one sync replaces whole
// (a task's opens: account and task_id).
type Table struct {
	Name string
	Cols []string
	// Key is the number of leading columns in the primary key.
	Key int
	// Scope is the number of leading columns that name the set of rows a
	// sync replaces: rows of that set the source no longer has are deleted.
	Scope int
	// Keep: rows are never deleted (a task deleted on the server stays in
	// the history).
	Keep bool
}

// The synced tables. The column lists follow migrations/00001_init.sql.
var (
	Tasks = &Table{Name: "tasks", Key: 2, Scope: 1, Keep: true, Cols: []string{
		"account", "task_id", "sn", "sender", "sender_name", "reply_to", "template_ids", "template_name",
		"list_ids", "list_name", "send_qty", "send_time", "time_start", "time_end", "send_count",
		"error_count", "send_status", "track_status"}}
	Batches = &Table{Name: "batches", Key: 3, Scope: 2, Cols: []string{
		"account", "task_id", "task_ident", "task_date", "total_sum", "total", "success", "failed",
		"email_not_exist", "over_quota", "user_reject", "send_failed", "spam_content", "connect_error",
		"invalid", "rubbish", "deducted_points", "refunded_points", "points"}}
	DailyStats = &Table{Name: "daily_stats", Key: 2, Scope: 2, Cols: []string{
		"account", "day", "web_qty", "web_error", "web_count", "invalid_addr", "format_error",
		"send_count", "reserved_points", "actual_send", "send_error", "deducted_points"}}
	Deductions = &Table{Name: "deductions", Key: 3, Scope: 2, Cols: []string{
		"account", "day", "seq", "company", "kind", "send_num", "total"}}
	TrackOverviews = &Table{Name: "track_overviews", Key: 2, Scope: 2, Cols: []string{
		"account", "task_id", "track_id", "task_sn", "send_count", "real_send_count", "error_send_count",
		"open_unique", "open_total", "open_first", "open_last", "click_unique", "click_total",
		"click_first", "click_last", "open_ratio", "click_ratio"}}
	Links = &Table{Name: "links", Key: 3, Scope: 2, Cols: []string{
		"account", "task_id", "link_id", "url", "click_unique", "click_total", "click_first", "click_last"}}
	Opens = &Table{Name: "opens", Key: 3, Scope: 2, Cols: []string{
		"account", "task_id", "email", "email_id", "browser", "os", "ip_first", "ip_last",
		"open_total", "click_total", "open_first", "open_last", "click_first", "click_last"}}
	Clicks = &Table{Name: "clicks", Key: 4, Scope: 2, Cols: []string{
		"account", "task_id", "email", "url", "click_id", "click_unique", "click_total",
		"click_first", "click_last"}}
	Failures = &Table{Name: "failures", Key: 4, Scope: 2, Cols: []string{
		"account", "day", "task_id", "email", "kind", "kind_name"}}
	Lists = &Table{Name: "lists", Key: 2, Scope: 1, Cols: []string{
		"account", "list_id", "name", "description", "count", "status"}}
	Addresses = &Table{Name: "addresses", Key: 3, Scope: 2, Cols: []string{
		"account", "list_id", "email", "address_id", "name", "sex", "birthday", "phone", "area", "added"}}
	Unsubscribes = &Table{Name: "unsubscribes", Key: 3, Scope: 2, Cols: []string{
		"account", "list_id", "email", "unsubscribed_at"}}
)

// AllTables lists the synced tables in the order a summary shows them.
var AllTables = []*Table{Tasks, Batches, DailyStats, Deductions, TrackOverviews, Links, Opens, Clicks,
	Failures, Lists, Addresses, Unsubscribes}
